// The environment the app sees in integration tests (set before any app module is imported).
import { TEST_APP } from "../support/test-app";

process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY = TEST_APP.apiKey;
process.env.SHOPIFY_API_SECRET = TEST_APP.apiSecret;
process.env.SHOPIFY_APP_URL = TEST_APP.appUrl;
process.env.SCOPES = TEST_APP.scopes;
