import { Body, Controller, Module, Post } from '@nestjs/common';

/** A JSON route for tests of the HTTP layer (body parsing and limits) before real routes exist. */
@Controller('api/_test')
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown) {
    return { received: body };
  }
}

@Module({ controllers: [EchoController] })
export class EchoModule {}
