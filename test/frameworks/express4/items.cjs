// The items app on express 4, required.
require('../../fixtures/items-app.cjs').express(require('express'));
