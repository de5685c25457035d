// passport-openidconnect ships no types; only the constructor Plinth calls is declared.
declare module 'passport-openidconnect' {
  export class Strategy {
    constructor(options: Record<string, unknown>, verify: (...args: never[]) => void);
    authenticate(req: unknown, options?: object): void;
  }
}
