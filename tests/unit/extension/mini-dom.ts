/**
 * Just enough DOM to run assets/insight-widgets.js in node:vm on the blocks' rendered HTML: an element tree from
 * well-formed markup (script and style content dropped), selectors made of tag, .class, [attr], [attr=value] and
 * :checked (comma lists and descendant chains are not needed and throw), dataset, textContent, form state, and events
 * that bubble to the document and the window. Anything the script uses that is missing fails loudly.
 */
type Listener = (event: FakeEvent) => void;

export class FakeEvent {
  target: Node | null = null;
  constructor(
    readonly type: string,
    readonly bubbles = true,
  ) {}
}

export class EventTargetish {
  private listeners = new Map<string, Listener[]>();
  addEventListener(type: string, fn: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  removeEventListener(type: string, fn: Listener) {
    this.listeners.set(type, (this.listeners.get(type) ?? []).filter((f) => f !== fn));
  }
  fire(event: FakeEvent) {
    for (const fn of this.listeners.get(event.type) ?? []) fn(event);
  }
  listenerCount(type: string) {
    return this.listeners.get(type)?.length ?? 0;
  }
}

type Node = FakeElement | string;
const VOID = new Set(["input", "img", "br", "meta", "link", "hr", "source"]);
const decode = (s: string) => s.replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', "#39": "'", lt: "<", gt: ">", amp: "&" })[e]!);
const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export class FakeElement extends EventTargetish {
  children: Node[] = [];
  parent: FakeElement | null = null;
  checked = false;
  selected = false;
  disabled = false;
  readonly dataset: Record<string, string>;
  constructor(
    readonly tagName: string,
    readonly attributes: Map<string, string>,
    private readonly bubbleTo: () => EventTargetish[] = () => [],
  ) {
    super();
    this.checked = attributes.has("checked");
    this.selected = attributes.has("selected");
    this.disabled = attributes.has("disabled");
    const attrs = this.attributes;
    this.dataset = new Proxy({} as Record<string, string>, {
      get: (_t, key) => (typeof key === "string" ? attrs.get(`data-${kebab(key)}`) : undefined),
      set: (_t, key, value) => (attrs.set(`data-${kebab(String(key))}`, String(value)), true),
      has: (_t, key) => attrs.has(`data-${kebab(String(key))}`),
      deleteProperty: (_t, key) => attrs.delete(`data-${kebab(String(key))}`),
      ownKeys: () => [...attrs.keys()].filter((k) => k.startsWith("data-")).map((k) => camel(k.slice(5))),
      getOwnPropertyDescriptor: (_t, key) => {
        const v = attrs.get(`data-${kebab(String(key))}`);
        return v === undefined ? undefined : { value: v, enumerable: true, configurable: true, writable: true };
      },
    });
  }
  get value(): string {
    if (this.tagName === "select") return this.selectedOptions[0]?.value ?? "";
    return this.attributes.get("value") ?? "";
  }
  get selectedOptions(): FakeElement[] {
    const options = this.querySelectorAll("option");
    const chosen = options.filter((o) => o.selected);
    return chosen.length ? chosen.slice(-1) : options.slice(0, 1);
  }
  getAttribute(name: string) {
    return this.attributes.get(name) ?? null;
  }
  hasAttribute(name: string) {
    return this.attributes.has(name);
  }
  setAttribute(name: string, value: string) {
    this.attributes.set(name, String(value));
  }
  removeAttribute(name: string) {
    this.attributes.delete(name);
  }
  get textContent(): string {
    return this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }
  set textContent(value: string) {
    this.children = [String(value)];
  }
  private elements(): FakeElement[] {
    return this.children.flatMap((c) => (typeof c === "string" ? [] : [c, ...c.elements()]));
  }
  querySelectorAll(selector: string): FakeElement[] {
    return this.elements().filter((e) => e.matches(selector));
  }
  querySelector(selector: string): FakeElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
  closest(selector: string): FakeElement | null {
    return this.matches(selector) ? this : (this.parent?.closest(selector) ?? null);
  }
  matches(selector: string): boolean {
    if (/[\s,>+~]/.test(selector.replace(/\[[^\]]*\]/g, ""))) throw new Error(`mini-dom: unsupported selector ${selector}`);
    const parts = selector.match(/^[a-z]+|\.[\w-]+|\[[^\]]+\]|:[\w-]+/g) ?? [];
    if (parts.join("") !== selector) throw new Error(`mini-dom: unsupported selector ${selector}`);
    return parts.every((p) => {
      if (p.startsWith(".")) return (this.attributes.get("class") ?? "").split(/\s+/).includes(p.slice(1));
      if (p === ":checked") return this.checked || this.selected;
      if (p.startsWith(":")) throw new Error(`mini-dom: unsupported pseudo-class ${p}`);
      if (p.startsWith("[")) {
        const [, name, value] = /^\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]$/.exec(p) ?? [];
        if (!name) throw new Error(`mini-dom: unsupported attribute selector ${p}`);
        return value === undefined ? this.attributes.has(name) : this.attributes.get(name) === value;
      }
      return this.tagName === p;
    });
  }
  private propagate(event: FakeEvent) {
    this.fire(event);
    this.parent?.propagate(event);
  }
  dispatchEvent(event: FakeEvent) {
    event.target ??= this;
    this.propagate(event);
    if (event.bubbles) for (const t of this.bubbleTo()) t.fire(event);
    return true;
  }
}

export class FakeDocument extends EventTargetish {
  readyState: "loading" | "interactive" | "complete" = "complete";
  visibilityState: "visible" | "hidden" = "visible";
  cookie = "";
  readonly documentElement: FakeElement;
  readonly body: FakeElement;
  constructor(
    html: string,
    readonly window: EventTargetish,
  ) {
    super();
    const bubble = () => [this as EventTargetish, window];
    this.documentElement = new FakeElement("html", new Map(), bubble);
    this.body = new FakeElement("body", new Map(), bubble);
    this.body.parent = this.documentElement;
    this.documentElement.children.push(this.body);
    const stack: FakeElement[] = [this.body];
    const tokens = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, "").replace(/<!--[\s\S]*?-->/g, "");
    for (const m of tokens.matchAll(/<\/([a-z0-9]+)\s*>|<([a-z0-9]+)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)/gi)) {
      const top = stack[stack.length - 1]!;
      if (m[1]) {
        if (top.tagName !== m[1].toLowerCase()) throw new Error(`mini-dom: </${m[1]}> closes <${top.tagName}>`);
        stack.pop();
      } else if (m[2]) {
        const attrs = new Map([...(m[3] ?? "").matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!, decode(a[2] ?? "")] as [string, string]));
        const el = new FakeElement(m[2].toLowerCase(), attrs, bubble);
        el.parent = top;
        top.children.push(el);
        if (!VOID.has(el.tagName)) stack.push(el);
      } else if (m[4]) top.children.push(decode(m[4]));
    }
    if (stack.length !== 1) throw new Error(`mini-dom: <${stack[stack.length - 1]!.tagName}> not closed`);
  }
  querySelectorAll(selector: string) {
    return this.documentElement.querySelectorAll(selector);
  }
  querySelector(selector: string) {
    return this.documentElement.querySelector(selector);
  }
  dispatch(type: string) {
    const event = new FakeEvent(type);
    event.target = this.body;
    this.fire(event);
    this.window.fire(event);
  }
}
