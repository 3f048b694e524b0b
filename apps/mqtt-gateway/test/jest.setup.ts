import { assertNoSecretsLogged } from '@fieldlink/testing';

// testTimeout in a project config is ignored when Jest runs several projects (npm test); this is not.
jest.setTimeout(240_000);

// Fails the test for any line a service printed holding a secret it was started with (ServiceProcess
// `secrets`); stop(), kill() and waitExit() also check once the output is closed, which covers shutdown lines.
afterEach(() => assertNoSecretsLogged());
afterAll(() => assertNoSecretsLogged());
