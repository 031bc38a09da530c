/*
 * Insight Loop storefront offers (ADR 019). The blocks render in Liquid; this file only handles interaction: the
 * combined price, variant choice, adding to the cart, and events. It sends nothing while the page loads: events are
 * buffered and leave with the shopper's first interaction or when the page is hidden.
 */
(() => {
  const d = document, w = window, h = d.documentElement;
  const blocks = [...d.querySelectorAll(".il-offer[data-il-widget]")];
  if (!blocks.length) return;
  const arm = h.dataset.ilArm || "treatment", vid = h.dataset.ilVid || "";
  // The theme editor's preview: the blocks work, but nothing is logged and the cart is not tagged.
  const measured = arm !== "preview";
  const proxy = blocks[0].dataset.ilProxy || "/apps/insight-loop";
  const root = (w.Shopify && w.Shopify.routes && w.Shopify.routes.root) || "/";
  const queue = [], seen = new WeakSet(), busy = new WeakSet();
  let tagged = false;

  const post = (url, body) =>
    fetch(url, { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const rows = (b) => [...b.querySelectorAll(".il-item")];
  const log = (type, b, r) => {
    if (!measured) return;
    queue.push({
      id: crypto.randomUUID(), type, widget: b.dataset.ilWidget, arm, rank: r.dataset.ilRank || null,
      anchor: r.dataset.ilFrom || b.dataset.ilAnchor || null, product: r.dataset.ilProduct || null,
      slot: Number(r.dataset.ilSlot) || null, vid, t: Date.now(),
    });
  };

  // Events leave at most 50 to a request, only from an interaction or page hide (never during load).
  const flush = () => {
    while (queue.length) post(proxy + "/events", { events: queue.splice(0, 50) }).catch(() => {});
  };
  // The visitor id and arm go on the cart once per session, so the order comes back with them (treatment and holdout).
  const tagCart = () => {
    const key = "_il_cart", val = vid + ":" + arm;
    if (tagged || !vid || !measured) return;
    tagged = true;
    try { if (sessionStorage.getItem(key) === val) return; } catch { /* storage blocked: tag every page */ }
    post(root + "cart/update.js", { attributes: { _il_vid: vid, _il_arm: arm } })
      .then((res) => { if (res.ok) try { sessionStorage.setItem(key, val); } catch { /* ignore */ } })
      .catch(() => {});
  };
  const wake = () => { tagCart(); flush(); };
  for (const type of ["pointerdown", "keydown", "click"]) w.addEventListener(type, wake, { passive: true });
  w.addEventListener("pagehide", wake);
  d.addEventListener("visibilitychange", () => { if (d.visibilityState === "hidden") wake(); });

  // Money like the theme's own format (shop.money_format); prices are in cents as Liquid gives them.
  const money = (b, cents) => {
    const f = (b.dataset.ilMoney || "").replace(/<[^>]*>/g, "");
    if (!f) {
      try { return new Intl.NumberFormat(h.lang || undefined, { style: "currency", currency: b.dataset.ilCurrency }).format(cents / 100); }
      catch { return (cents / 100).toFixed(2); }
    }
    return f.replace(/\{\{\s*(\w+)\s*\}\}/, (_, k) => {
      const [th, dec] = /period_and_space/.test(k) ? [" ", "."] : /comma/.test(k) ? [".", ","]
        : /apostrophe/.test(k) ? ["'", "."] : /space/.test(k) ? [" ", ","] : [",", "."];
      const [int, frac] = (cents / 100).toFixed(/no_decimals/.test(k) ? 0 : 2).split(".");
      return int.replace(/\B(?=(\d{3})+(?!\d))/g, th) + (frac ? dec + frac : "");
    });
  };
  const text = (b, sel, value) => { const el = b.querySelector(sel); if (el) el.textContent = value; };

  // Combined price of the checked rows; the bundle's percentage applies to the checked add-ons in the bundle, when
  // the page's own product is checked too (the same arithmetic as the Liquid, so the first render matches).
  const update = (b) => {
    let total = 0, bundled = 0, self = false, n = 0;
    for (const r of rows(b)) {
      const c = r.querySelector(".il-check");
      if (!c || !c.checked) continue;
      const p = Number(r.dataset.ilPrice) || 0;
      n++;
      total += p;
      if (r.hasAttribute("data-il-self")) self = true;
      else if (r.hasAttribute("data-il-bundle")) bundled += p;
    }
    const saving = self ? Math.round((bundled * (Number(b.dataset.ilPct) || 0)) / 100) : 0;
    text(b, "[data-il-total]", money(b, total));
    text(b, "[data-il-bundle-price]", money(b, total - saving));
    text(b, "[data-il-saving]", money(b, saving));
    const all = b.querySelector("[data-il-add=all]");
    if (all) all.disabled = !n;
  };

  const say = (b, message) => {
    const live = b.querySelector("[data-il-live]");
    if (!live) return;
    live.textContent = "";
    setTimeout(() => { live.textContent = message; }, 100);
  };

  // A code bundle (offers.bundle.code): once the page's product and a bundle add-on are added together, the code goes
  // on the cart beside the codes already there, so checkout gives the bundle price the block showed.
  const applyCode = async (b, picked) => {
    const code = b.dataset.ilCode;
    if (!code || !picked.some((r) => r.hasAttribute("data-il-self")) || !picked.some((r) => r.hasAttribute("data-il-bundle"))) return;
    try {
      const cart = await (await fetch(root + "cart.js", { headers: { accept: "application/json" } })).json();
      const codes = [...new Set([...(cart.discount_codes || []).map((c) => c.code), code])];
      const actions = w.Shopify && w.Shopify.actions;
      if (actions && actions.updateCart) await actions.updateCart({ discountCodes: codes });
      else await post(root + "cart/update.js", { discount: codes.join(",") });
    } catch { /* the items are in the cart; the shopper can still enter the code */ }
  };

  const add = async (b, button) => {
    const own = button.closest(".il-item");
    const picked = own ? [own] : rows(b).filter((r) => r.querySelector(".il-check:checked"));
    if (!picked.length || busy.has(b)) return;
    busy.add(b);
    button.setAttribute("aria-busy", "true");
    const widget = b.dataset.ilWidget;
    // The page's own product carries no offer properties: only suggestions are attributed to the block.
    const props = (r) => (r.dataset.ilSlot ? { _il_widget: widget, _il_slot: r.dataset.ilSlot, _il_rank: r.dataset.ilRank } : null);
    try {
      const actions = w.Shopify && w.Shopify.actions;
      if (actions && actions.updateCart) {
        const lines = picked.map((r) => {
          const line = { merchandiseId: "gid://shopify/ProductVariant/" + r.dataset.ilVariant, quantity: 1 }, p = props(r);
          if (p) line.attributes = Object.keys(p).map((key) => ({ key, value: p[key] }));
          return line;
        });
        const res = await actions.updateCart({ lines });
        if (res && res.userErrors && res.userErrors.length) throw new Error("cart");
      } else {
        const items = picked.map((r) => {
          const item = { id: Number(r.dataset.ilVariant), quantity: 1 }, p = props(r);
          if (p) item.properties = p;
          return item;
        });
        const res = await post(root + "cart/add.js", { items });
        if (!res.ok) throw new Error("cart");
      }
      await applyCode(b, picked);
      for (const r of picked) if (r.dataset.ilSlot) log("add_to_cart", b, r);
      say(b, ((picked.length === 1 ? b.dataset.ilOne : b.dataset.ilMany) || "").replace("%n", picked.length));
    } catch {
      say(b, b.dataset.ilFail || "");
    }
    busy.delete(b);
    button.removeAttribute("aria-busy");
    wake();
  };

  const shown = (b) => {
    if (seen.has(b)) return;
    seen.add(b);
    for (const r of rows(b)) if (r.dataset.ilSlot) log("impression", b, r);
  };

  for (const b of blocks) {
    b.addEventListener("change", (e) => {
      const s = e.target;
      if (s.matches(".il-variant")) {
        const r = s.closest(".il-item"), o = s.selectedOptions[0];
        if (r && o) {
          r.dataset.ilVariant = o.value;
          r.dataset.ilPrice = o.dataset.ilPrice;
          text(r, "[data-il-price-label]", money(b, Number(o.dataset.ilPrice) || 0));
        }
      }
      update(b);
    });
    b.addEventListener("click", (e) => {
      const link = e.target.closest("a.il-link"), button = e.target.closest("[data-il-add]");
      if (link && link.closest(".il-item")) log("click", b, link.closest(".il-item"));
      if (button) add(b, button);
    });
  }

  if (arm === "holdout") {
    // Hidden by the inline CSS; logged as "would have been shown" once the page is parsed and the browser is idle.
    const later = () => (w.requestIdleCallback || w.setTimeout).call(w, () => blocks.forEach(shown));
    if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", later);
    else later();
  } else if (w.IntersectionObserver) {
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.intersectionRatio >= 0.5) { io.unobserve(e.target); shown(e.target); }
    }, { threshold: 0.5 });
    blocks.forEach((b) => io.observe(b));
  }
})();
