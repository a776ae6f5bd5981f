/* Live discussion threads. Progressive enhancement: without this script the thread renders on
 * the server and the plain form posts a comment. With it, comments, edits, hides and status
 * changes appear without reloading, and posts go over the WebSocket with a client id so a retry
 * never makes a second comment. Protocol: README.md, "Live threads".
 *
 * Every piece of user text is set with textContent, never innerHTML. */
(function () {
  "use strict";

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /* How long to wait before reconnection attempt `attempt` (0, 1, 2 …), in ms: a random time up
   * to 1 s, 2 s, 4 s … at most 30 s ("full jitter"). A Redis or server restart drops every reader
   * at the same instant; with a fixed schedule they would all come back at the same instant too. */
  function reconnectDelay(attempt, random) {
    var ceiling = Math.min(30000, 1000 * Math.pow(2, attempt));
    return Math.floor((random || Math.random)() * ceiling);
  }
  window.renovationLive = { reconnectDelay: reconnectDelay };

  function formatTime(iso) {
    var d = new Date(iso);
    function pad(n) { return ("0" + n).slice(-2); }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function updateStatus(message) {
    var key = message.subject + "-" + message.id;
    document.querySelectorAll('[data-live-status="' + key + '"]').forEach(function (el) {
      el.textContent = message.status_label;
      el.className = el.className.replace(/\bstatus--[\w-]+/g, "").trim() + " status--" +
        (message.subject === "issue" ? "issue-" : "") + message.status;
    });
    if (message.progress !== undefined) {
      document.querySelectorAll('[data-live-progress="' + key + '"]').forEach(function (el) {
        var value = parseFloat(message.progress);
        el.setAttribute("aria-valuenow", value.toFixed(1));
        var bar = el.querySelector(".progress__bar");
        var label = el.querySelector(".progress__label");
        if (bar) { bar.style.width = Math.max(0, Math.min(100, value)).toFixed(2) + "%"; }
        if (label) { label.textContent = (value === Math.round(value) ? value.toFixed(0) : value.toFixed(1)) + "%"; }
      });
    }
  }

  function Thread(root) {
    this.root = root;
    this.list = root.querySelector("[data-comments]");
    this.form = root.querySelector("form[data-post]");
    this.status = root.querySelector("[data-thread-status]");
    this.lastId = parseInt(root.dataset.lastId, 10) || 0;
    this.lastEventId = parseInt(root.dataset.lastEventId, 10) || 0;
    this.pending = {};  // client_id -> text, until the server has it
    this.attempt = 0;  // reconnection attempts since the last open socket
    this.connect();
    if (this.form) { this.form.addEventListener("submit", this.submit.bind(this)); }
  }

  Thread.prototype.connect = function () {
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/threads/" + this.root.dataset.thread + "/");
    this.socket = socket;
    socket.onopen = function () {
      self.attempt = 0;
      self.root.classList.add("is-live");
      self.say("");
      socket.send(JSON.stringify({ type: "since", last_id: self.lastId, last_event_id: self.lastEventId }));
      Object.keys(self.pending).forEach(function (clientId) {
        socket.send(JSON.stringify({ type: "post", text: self.pending[clientId], client_id: clientId }));
      });
    };
    socket.onmessage = function (event) { self.handle(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      self.root.classList.remove("is-live");
      if (event.code === 4403 || event.code === 4404) { return; }  // not allowed: stay a plain page
      if (Object.keys(self.pending).length) { self.say(self.root.dataset.labelOffline); }
      // 1012: the server or its Redis restarted; like any other drop, come back after a jittered wait.
      setTimeout(function () { self.connect(); }, reconnectDelay(self.attempt));
      self.attempt += 1;
    };
  };

  Thread.prototype.say = function (text) {
    if (this.status) { this.status.textContent = text || ""; }
  };

  Thread.prototype.submit = function (event) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) { return; }  // plain form post
    event.preventDefault();
    var textarea = this.form.querySelector("textarea");
    var text = textarea.value.trim();
    if (!text) { return; }
    var clientId = uuid4();
    this.pending[clientId] = text;
    this.socket.send(JSON.stringify({ type: "post", text: text, client_id: clientId }));
    textarea.value = "";
    this.say(this.root.dataset.labelSending);
  };

  Thread.prototype.handle = function (message) {
    if (message.event_id) { this.lastEventId = Math.max(this.lastEventId, message.event_id); }
    if (message.type === "status") { updateStatus(message); return; }
    if (message.type === "error") { this.showError(message); return; }
    if (message.type && message.type.indexOf("comment") === 0) { this.render(message); }
  };

  Thread.prototype.showError = function (message) {
    var box = this.root.querySelector("[data-post-error]");
    if (message.client_id && this.pending[message.client_id] !== undefined) {
      var textarea = this.form && this.form.querySelector("textarea");
      if (textarea && !textarea.value) { textarea.value = this.pending[message.client_id]; }
      delete this.pending[message.client_id];
    }
    this.say("");
    if (box) { box.textContent = message.message; box.hidden = false; }
  };

  Thread.prototype.render = function (message) {
    var empty = this.list.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
    var item = this.list.querySelector('[data-comment-id="' + message.id + '"]');
    if (!item) {
      item = this.build(message);
      this.list.appendChild(item);
    }
    this.fill(item, message);
    this.lastId = Math.max(this.lastId, message.id);
    if (message.client_id && this.pending[message.client_id] !== undefined) {
      delete this.pending[message.client_id];
      this.say("");
      var box = this.root.querySelector("[data-post-error]");
      if (box) { box.hidden = true; }
    }
  };

  Thread.prototype.build = function (message) {
    var item = document.createElement("li");
    item.className = "comment comment--new";
    item.id = "comment-" + message.id;
    item.setAttribute("data-comment-id", String(message.id));
    var meta = document.createElement("div");
    meta.className = "comment__meta";
    var author = document.createElement("strong");
    author.className = "comment__author";
    var time = document.createElement("time");
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    var edited = document.createElement("span");
    edited.className = "comment__edited";
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(edited);
    var text = document.createElement("p");
    text.className = "comment__text";
    item.appendChild(meta);
    item.appendChild(text);
    return item;
  };

  Thread.prototype.fill = function (item, message) {
    var author = item.querySelector(".comment__author");
    var time = item.querySelector("time");
    var text = item.querySelector(".comment__text");
    var edited = item.querySelector(".comment__edited");
    if (author) { author.textContent = message.author; }
    if (time && message.created) { time.setAttribute("datetime", message.created); time.textContent = formatTime(message.created); }
    if (!edited && message.edited) {
      edited = document.createElement("span");
      edited.className = "comment__edited";
      item.querySelector(".comment__meta").appendChild(edited);
    }
    if (edited) { edited.textContent = message.edited ? "(" + this.root.dataset.labelEdited + ")" : ""; }
    item.classList.toggle("comment--hidden", !!message.hidden);
    if (text) {
      text.classList.toggle("comment__text--hidden", !!message.hidden);
      text.textContent = message.hidden ? this.root.dataset.labelHidden + " " + message.hidden_reason : message.text;
    }
  };

  document.querySelectorAll("[data-thread]").forEach(function (root) { new Thread(root); });
})();
