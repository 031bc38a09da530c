/** A refused input (status 400) or an action that is not the shop's (404), with a message for the merchant. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404,
  ) {
    super(message);
    this.name = "ActionError";
  }
}
