import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem, toProblem } from './problem.js';

/** The one global filter: every error a route throws leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, internal, headers } = toProblem(err, String(request.id));
    if (internal)
      this.logger.error({ err, requestId: request.id }, 'Unhandled error while serving a request');
    sendProblem(reply, problem, headers);
  }
}
