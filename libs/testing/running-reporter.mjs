// Jest reporter: when the run is stopped from outside (CI's `timeout`, Ctrl-C), names each test file
// and test still running, so a run that hung says where. A test that exceeds its own timeout is
// already named by Jest's failure report; this covers what no per-test timeout catches.
export default class RunningTestsReporter {
  /** test file path → what runs in it now and since when */
  running = new Map();

  constructor() {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
      process.once(signal, () => {
        this.report(signal);
        process.kill(process.pid, signal);
      });
    }
  }

  onTestFileStart(test) {
    this.running.set(test.path, { name: '(hooks before the first test)', since: Date.now() });
  }

  onTestCaseStart(test, info) {
    this.running.set(test.path, { name: info.fullName, since: Date.now() });
  }

  onTestCaseResult(test) {
    this.running.set(test.path, { name: '(hooks between or after tests)', since: Date.now() });
  }

  onTestFileResult(test) {
    this.running.delete(test.path);
  }

  report(signal) {
    const now = Date.now();
    const lines = [...this.running].map(
      ([file, { name, since }]) =>
        `  ${file.replace(process.cwd() + '/', '')} › ${name} (for ${Math.round((now - since) / 1000)} s)`,
    );
    process.stderr.write(
      `\nJest was stopped (${signal}) with ${lines.length} test file(s) still running:\n${lines.join('\n')}\n`,
    );
  }

  getLastError() {
    return undefined;
  }
}
