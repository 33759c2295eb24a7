// Test double of k6's `k6/execution`: a test sets the current scenario; test.abort throws.

/** Thrown by exec.test.abort(), as k6 stops the run there. */
export class AbortedTest extends Error {}

const execution = {
  scenario: { name: 'default', startTime: Date.now(), iterationInInstance: 0 },
  test: {
    abort(reason?: string): never {
      throw new AbortedTest(reason ?? 'test aborted');
    },
  },
};

export default execution;
