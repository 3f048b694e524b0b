// testTimeout in a project config is ignored when Jest runs several projects (npm test); this is not.
jest.setTimeout(240_000);
