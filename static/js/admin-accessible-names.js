// Screen readers must be able to name every control in the admin. Two widgets the admin
// uses build their controls in the browser without a name: the autocomplete boxes (Select2)
// and the rich-text editor. This gives each the name of the field it stands for, including
// in inline rows added later.
(function () {
  "use strict";

  function labelFor(field) {
    if (!field || !field.id) { return null; }
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label) {
      if (!label.id) { label.id = field.id + "-label"; }
      return label;
    }
    return null;
  }

  function nameAutocomplete(select) {
    var container = select.nextElementSibling;
    var box = container && container.querySelector('[role="combobox"]');
    if (!box || box.dataset.named) { return; }
    var label = labelFor(select);
    var rendered = box.querySelector(".select2-selection__rendered");
    var name = select.getAttribute("aria-label");
    if (label && rendered) {
      box.setAttribute("aria-labelledby", label.id + " " + rendered.id);
      // The read-only box showing the current choice is named after the field too.
      rendered.setAttribute("aria-labelledby", label.id);
    } else if (name) {
      box.removeAttribute("aria-labelledby");
      box.setAttribute("aria-label", name);
      if (rendered) { rendered.setAttribute("aria-label", name); }
    }
    box.dataset.named = "1";
  }

  function nameEditor(editable) {
    if (editable.hasAttribute("aria-labelledby")) { return; }
    var wrapper = editable.closest(".prose-editor");
    var textarea = wrapper && wrapper.querySelector("textarea");
    var label = labelFor(textarea);
    if (label) {
      editable.setAttribute("aria-labelledby", label.id);
      editable.setAttribute("aria-multiline", "true");
    }
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(nameAutocomplete);
    document.querySelectorAll('.prose-editor [contenteditable="true"]').forEach(nameEditor);
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
  });
})();
