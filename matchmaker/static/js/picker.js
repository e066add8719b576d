// Product picker: turns the plain product-code text input of the need, offer and link forms into
// an accessible combobox (WAI-ARIA 1.2 combobox pattern, list autocomplete) over
// GET /api/v1/products?q=. Without this script the input still takes a product code (or a product's
// exact name), which the server resolves.
//
// Markup (written by the `product_picker` macro): a .product-picker[data-product-picker] holding
// the text input; its data attributes give the API address, the page language, the messages, the
// ids of the category select and of the quantity's unit, and the categories' units.
(function () {
  "use strict";
  var PAGE_SIZE = 20, DELAY_MS = 150;

  function text(node, value) { node.textContent = value; return node; }

  function make(tag, attrs, parent) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }

  function Picker(root) {
    var d = root.dataset;
    this.root = root;
    this.en = d.lang === "en";
    this.source = d.source;
    this.msg = { none: d.msgNone, count: d.msgCount, more: d.msgMore, chosen: d.msgChosen, failed: d.msgFailed };
    this.categoryUnits = d.categoryUnits ? JSON.parse(d.categoryUnits) : {};
    this.category = d.category ? document.getElementById(d.category) : null;
    this.unit = d.unit ? document.getElementById(d.unit) : null;
    this.chosenNote = d.chosenNote ? document.getElementById(d.chosenNote) : null;
    this.input = root.querySelector("input[type=text]");
    this.items = [];
    this.active = -1;
    this.seq = 0;
    this.timer = null;
    this.build();
  }

  Picker.prototype.build = function () {
    var input = this.input, id = input.id, self = this;
    // The code travels in a hidden input under the field's name; the visible one is for typing.
    this.hidden = make("input", { type: "hidden", name: input.name, value: input.value });
    input.removeAttribute("name");
    input.parentNode.insertBefore(this.hidden, input);
    this.listbox = make("ul", { id: id + "-listbox", role: "listbox", "class": "picker-list",
                                "aria-label": this.root.querySelector("label").textContent });
    this.listbox.hidden = true;
    input.parentNode.insertBefore(this.listbox, input.nextSibling);
    this.status = make("div", { role: "status", "aria-live": "polite", "class": "sr-only", id: id + "-status" },
                       this.root);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    input.setAttribute("autocomplete", "off");
    var chosen = this.root.dataset.chosen ? JSON.parse(this.root.dataset.chosen) : null;
    if (chosen) { input.value = this.label(chosen); this.hidden.value = chosen.code; this.picked = chosen; }
    input.addEventListener("input", function () { self.typed(); });
    input.addEventListener("keydown", function (e) { self.key(e); });
    input.addEventListener("blur", function () { window.setTimeout(function () { self.close(); }, 120); });
    // Pointer: keep the focus in the input while an option is pressed, pick it on click.
    this.listbox.addEventListener("mousedown", function (e) { e.preventDefault(); });
    this.listbox.addEventListener("click", function (e) {
      var li = e.target.closest ? e.target.closest("li[role=option]") : null;
      if (li) { self.pick(Number(li.dataset.index)); }
    });
    if (this.category) {
      this.category.addEventListener("change", function () { self.showUnit(); });
    }
    this.showUnit();
  };

  Picker.prototype.label = function (p) {
    var first = this.en ? p.name_en : p.name_zh, second = this.en ? p.name_zh : p.name_en;
    return first + " \u00b7 " + second + " (" + p.code + ")";
  };

  Picker.prototype.typed = function () {
    var self = this;
    this.picked = null;
    this.hidden.value = this.input.value.trim();  // a typed code or exact name still reaches the server
    this.showUnit();
    window.clearTimeout(this.timer);
    if (!this.input.value.trim()) { this.close(); text(this.status, ""); return; }
    this.timer = window.setTimeout(function () { self.fetch(); }, DELAY_MS);
  };

  Picker.prototype.fetch = function () {
    var self = this, seq = ++this.seq, q = this.input.value.trim();
    var url = this.source + "?page_size=" + PAGE_SIZE + "&q=" + encodeURIComponent(q);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) { throw new Error(String(res.status)); }
        var paging = res.headers.get("X-Pagination");
        return res.json().then(function (items) {
          return { items: items, total: paging ? JSON.parse(paging).total : items.length };
        });
      })
      .then(function (found) {
        if (seq === self.seq) {
          self.listbox.setAttribute("data-query", q);  // what the list shows the answer to (tests wait on it)
          self.show(found.items, found.total);
        }
      })
      .catch(function () { if (seq === self.seq) { self.close(); text(self.status, self.msg.failed); } });
  };

  Picker.prototype.show = function (items, total) {
    var self = this, list = this.listbox, id = this.input.id;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (p, i) {
      var li = make("li", { id: id + "-opt-" + i, role: "option", "aria-selected": "false", "data-index": i,
                            "data-code": p.code }, list);
      text(make("span", { "class": "opt-name" }, li), self.en ? p.name_en + " \u00b7 " + p.name_zh
                                                             : p.name_zh + " \u00b7 " + p.name_en);
      var cat = self.en && p.category.name_en ? p.category.name_en : p.category.name;
      text(make("span", { "class": "opt-meta" }, li), p.code + " \u00b7 " + p.unit + " \u00b7 " + cat);
    });
    if (!items.length) {
      this.close();
      text(this.status, this.msg.none);
      return;
    }
    list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    text(this.status, fill(total > items.length ? this.msg.more : this.msg.count,
                           { n: items.length, total: total }));
  };

  Picker.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Picker.prototype.isOpen = function () { return !this.listbox.hidden; };

  Picker.prototype.move = function (step) {
    var n = this.items.length;
    if (!n) { return; }
    var next = this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n;
    this.highlight(next);
  };

  Picker.prototype.highlight = function (index) {
    var options = this.listbox.querySelectorAll("li[role=option]");
    if (this.active >= 0 && options[this.active]) { options[this.active].setAttribute("aria-selected", "false"); }
    this.active = index;
    var li = options[index];
    li.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", li.id);
    if (li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
  };

  Picker.prototype.key = function (e) {
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (!this.isOpen()) {
          if (this.items.length && this.input.value.trim()) { this.show(this.items, this.items.length); }
          else if (this.input.value.trim()) { this.fetch(); return; }
          if (e.altKey) { return; }
        }
        this.move(1);
        break;
      case "ArrowUp":
        if (this.isOpen()) { e.preventDefault(); this.move(-1); }
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) { e.preventDefault(); this.pick(this.active); }
        else if (this.isOpen()) { e.preventDefault(); this.close(); }
        break;
      case "Escape":
        if (this.isOpen()) { e.preventDefault(); this.close(); }
        else if (this.input.value) { e.preventDefault(); this.input.value = ""; this.typed(); }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  Picker.prototype.pick = function (index) {
    var p = this.items[index];
    if (!p) { return; }
    this.picked = p;
    this.input.value = this.label(p);
    this.hidden.value = p.code;
    this.close();
    if (this.category) {
      var has = Array.prototype.some.call(this.category.options, function (o) { return o.value === p.category.code; });
      if (has) { this.category.value = p.category.code; }
    }
    this.showUnit();
    text(this.status, fill(this.msg.chosen, { name: this.label(p), unit: p.unit }));
  };

  // The unit beside the quantity: the chosen product's, else the chosen category's.
  Picker.prototype.showUnit = function () {
    var unit = "";
    if (this.picked) { unit = this.picked.unit; }
    else if (this.category && this.category.value) { unit = this.categoryUnits[this.category.value] || ""; }
    if (this.unit) { text(this.unit, unit); this.unit.hidden = !unit; }
    if (this.chosenNote) {
      var p = this.picked;
      text(this.chosenNote, p ? fill(this.chosenNote.dataset.template, {
        category: this.en && p.category.name_en ? p.category.name_en : p.category.name, unit: p.unit }) : "");
      this.chosenNote.hidden = !p;
    }
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-product-picker]"), function (root) {
      if (!root.dataset.enhanced) { root.dataset.enhanced = "1"; new Picker(root); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
