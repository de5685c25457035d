import { Body, Controller, Module, Post } from '@nestjs/common';

/** A JSON route for tests of the HTTP layer (body parsing and limits) before real routes exist. */
@Controller('api/_test')
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown) {
    return { received: body };
  }

  /** A bug: an error no code knows, carrying text that must never reach the client. */
  @Post('boom')
  boom(): never {
    throw new Error('relation "plinth.secret_table" does not exist at /srv/app/stack.ts:42');
  }
}

@Module({ controllers: [EchoController] })
export class EchoModule {}
