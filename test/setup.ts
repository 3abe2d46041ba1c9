import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";

// No test reaches the network: every GitHub and LLM call must be mocked with nock, and a mock that
// was declared but never used fails the test (a test that mocks a call it never makes proves nothing).
// Loopback stays open for the real-server, Postgres and worker-API tests.
nock.disableNetConnect();
nock.enableNetConnect(/(127\.0\.0\.1|localhost|\[::1\])/);

beforeEach(() => {
  nock.cleanAll();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, "unused HTTP mocks").toEqual([]);
});
