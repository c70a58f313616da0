// The express routes fixture on express 4: run from this folder, it resolves this folder's express.
require('../../fixtures/express-routes.cjs');
