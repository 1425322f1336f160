// Tandem's small behaviours: each one works without it, this only makes it smoother.
(function () {
  "use strict";

  // Submit a form as soon as one of its [data-autosubmit] controls changes (language, page size).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });

  // Close open dropdown menus on Escape or on a click elsewhere.
  function closeMenus(except) {
    document.querySelectorAll("details.menu-group[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.menu-group"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // The dialog: htmx loads a fragment into #dialog, which opens as a modal once htmx has
  // settled it (its controls are live by then).
  document.addEventListener("htmx:afterSettle", function (event) {
    var dialog = document.getElementById("dialog");
    if (event.detail.target === dialog && dialog.innerHTML.trim() !== "" && !dialog.open) {
      dialog.showModal();
      var first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      var dialog = document.getElementById("dialog");
      dialog.close();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target.id === "dialog") event.target.innerHTML = "";
  }, true);

  // List selection: "select all" and the count shown in the bulk bar.
  function updateSelection(table) {
    var boxes = table.querySelectorAll("tbody input[name=selected]");
    var checked = table.querySelectorAll("tbody input[name=selected]:checked").length;
    var all = table.querySelector("input[data-select-all]");
    if (all) {
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    var counter = document.querySelector("[data-selected-count]");
    if (counter) counter.textContent = String(checked);
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) bar.hidden = checked === 0;
  }
  document.addEventListener("change", function (event) {
    var table = event.target.closest("table[data-selectable]");
    if (!table) return;
    if (event.target.matches("input[data-select-all]")) {
      table.querySelectorAll("tbody input[name=selected]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    updateSelection(table);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-selectable]").forEach(updateSelection);
  });

  // The list's bulk bar: show the options of the chosen action; ask before trashing.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-bulk-action]")) return;
    var action = event.target.value;
    document.querySelectorAll("[data-bulk-for]").forEach(function (options) {
      options.hidden = options.dataset.bulkFor.split(" ").indexOf(action) === -1;
    });
  });
  document.addEventListener("submit", function (event) {
    var action = event.target.querySelector("[data-bulk-action]");
    var button = event.target.querySelector("[data-confirm-trash]");
    if (!action || !button || action.value !== "trash") return;
    // "Apply to all rows" trashes far more than the ticked rows: say so, with the count.
    var scope = event.target.querySelector("input[name=scope][value=all]");
    var message = scope && scope.checked ? button.dataset.confirmTrashAll : button.dataset.confirmTrash;
    if (!window.confirm(message)) event.preventDefault();
  });

  // The relation picker: a checked result moves to the "chosen" list, so it stays chosen while
  // the search changes; unchecking it there removes it.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("input[name=objects]")) return;
    var chosen = document.getElementById("picker-chosen");
    if (!chosen) return;
    var item = box.closest("li");
    if (box.checked && !chosen.contains(item)) {
      chosen.querySelectorAll("input[name=objects]").forEach(function (other) {
        if (other.value === box.value) other.closest("li").remove();
      });
      chosen.appendChild(item);
    } else if (!box.checked && chosen.contains(item)) {
      item.remove();
    }
    chosen.closest("[data-chosen-block]").hidden = chosen.children.length === 0;
  });

  // A target made by the picker's quick-create joins the chosen ones.
  document.addEventListener("htmx:afterSwap", function () {
    var chosen = document.getElementById("picker-chosen");
    document.querySelectorAll("template[data-picker-chosen]").forEach(function (template) {
      if (chosen) {
        chosen.appendChild(template.content.cloneNode(true));
        chosen.closest("[data-chosen-block]").hidden = false;
      }
      template.remove();
    });
  });
  // Enter in the picker's search box searches; it does not submit the dialog.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches(".relation-form input[type=search], .quick-create-form input")) {
      event.preventDefault();
    }
  });

  // The header search's dropdown: htmx fills it as you type; arrows move through it, Escape
  // or a click elsewhere closes it.
  function suggestionBox() { return document.querySelector("[data-search-suggestions]"); }
  function setSuggestionsOpen(open) {
    var box = suggestionBox();
    var input = document.querySelector("[data-search-box]");
    if (!box || !input) return;
    if (!open) box.innerHTML = "";
    input.setAttribute("aria-expanded", open && box.innerHTML.trim() !== "" ? "true" : "false");
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target === suggestionBox()) setSuggestionsOpen(true);
  });
  document.addEventListener("keydown", function (event) {
    var box = suggestionBox();
    if (!box || box.innerHTML.trim() === "") return;
    var inBox = box.contains(event.target);
    var onInput = event.target.matches && event.target.matches("[data-search-box]");
    if (!inBox && !onInput) return;
    var links = Array.prototype.slice.call(box.querySelectorAll("[data-suggestion]"));
    var position = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = position + step;
      if (next < 0) { document.querySelector("[data-search-box]").focus(); return; }
      if (links[Math.min(next, links.length - 1)]) links[Math.min(next, links.length - 1)].focus();
    } else if (event.key === "Escape") {
      setSuggestionsOpen(false);
      document.querySelector("[data-search-box]").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".global-search")) setSuggestionsOpen(false);
  });

  // The filter editor: removing a condition row needs no round trip.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-condition]");
    if (!button) return;
    event.preventDefault();
    var row = button.closest("[data-condition]");
    var list = row.parentElement;
    row.remove();
    var first = list.querySelector("[data-condition] select");
    if (first) first.focus();
  });

  // Buttons that ask before they act: <button data-confirm="Are you sure?">.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
