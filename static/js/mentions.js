// Vetted: @mention completion in comment boxes (<textarea class="js-mention-input" data-mention-url="...">).
// Typing "@" and at least one letter asks the server for people who can see the application and
// shows them in the sibling .js-mention-menu; choosing one inserts "@username ".
// Delegated listeners, so comment boxes swapped in by HTMX work without re-initialising.
(function () {
  "use strict";
  if (window.vettedMentions) return;
  window.vettedMentions = true;

  var TOKEN = /(^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_.+-]{1,30})$/u;
  var state = { textarea: null, start: 0, items: [], active: -1, seq: 0, timer: null };

  function menuFor(textarea) {
    return textarea.parentElement.querySelector(".js-mention-menu");
  }

  function hide() {
    if (state.textarea) {
      var menu = menuFor(state.textarea);
      if (menu) { menu.classList.remove("show"); menu.replaceChildren(); }
      state.textarea.removeAttribute("aria-activedescendant");
    }
    state.items = [];
    state.active = -1;
  }

  function highlight(index) {
    var menu = menuFor(state.textarea);
    var buttons = menu.querySelectorAll(".dropdown-item");
    buttons.forEach(function (button, i) { button.classList.toggle("active", i === index); });
    state.active = index;
  }

  function show(textarea, results) {
    var menu = menuFor(textarea);
    if (!menu) return;
    menu.replaceChildren();
    state.items = results;
    state.active = -1;
    if (!results.length) { menu.classList.remove("show"); return; }
    results.forEach(function (person, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "dropdown-item";
      button.setAttribute("role", "option");
      button.dataset.index = String(index);
      // textContent, never innerHTML: names come from users.
      var name = document.createElement("span");
      name.textContent = person.name;
      var handle = document.createElement("small");
      handle.className = "text-muted ms-2";
      handle.textContent = "@" + person.username;
      button.append(name, handle);
      menu.appendChild(button);
    });
    menu.classList.add("show");
    highlight(0);
  }

  function choose(index) {
    var person = state.items[index];
    var textarea = state.textarea;
    if (!person || !textarea) return;
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, state.start);
    var after = textarea.value.slice(caret);
    var insert = "@" + person.username + " ";
    textarea.value = before + insert + after;
    var position = before.length + insert.length;
    textarea.setSelectionRange(position, position);
    textarea.focus();
    hide();
  }

  function lookup(textarea) {
    var caret = textarea.selectionStart;
    var match = TOKEN.exec(textarea.value.slice(0, caret));
    if (!match) { hide(); return; }
    state.textarea = textarea;
    state.start = caret - match[2].length - 1;
    var seq = ++state.seq;
    var url = textarea.dataset.mentionUrl + "?q=" + encodeURIComponent(match[2]);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        // Only the answer to the latest keystroke counts.
        if (seq === state.seq && state.textarea === textarea) show(textarea, data.results || []);
      })
      .catch(function () { hide(); });
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea.js-mention-input")) return;
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(function () { lookup(textarea); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    if (event.target !== state.textarea || !state.items.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((state.active + step + state.items.length) % state.items.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (state.active >= 0) { event.preventDefault(); choose(state.active); }
    } else if (event.key === "Escape") {
      event.preventDefault();
      hide();
    }
  });

  // mousedown keeps the focus in the textarea, so the caret position is still known on click.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".js-mention-menu .dropdown-item")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-mention-menu .dropdown-item");
    if (button) { choose(parseInt(button.dataset.index, 10)); return; }
    if (state.items.length && event.target !== state.textarea) hide();
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === state.textarea) window.setTimeout(hide, 150);
  });
})();
