/**
 * A refused input (status 400), a change the shop has not granted the access scope for (403) or an action that is not
 * the shop's (404), with a message for the merchant.
 */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
    this.name = "ActionError";
  }
}
