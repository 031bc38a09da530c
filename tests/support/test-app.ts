/** The test app's credentials. The secret signs session tokens and webhooks in tests; it protects nothing real. */
export const TEST_APP = {
  apiKey: "insight-loop-test-key",
  apiSecret: "insight-loop-test-secret-not-for-production",
  appUrl: "http://localhost:3100",
  scopes: "read_orders,read_all_orders,read_products,read_customers,write_app_proxy",
} as const;
