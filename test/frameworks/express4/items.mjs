// The items app on express 4, imported as an ES module.
import express from 'express';
import items from '../../fixtures/items-app.cjs';

items.express(express);
