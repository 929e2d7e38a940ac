"""Small widgets that ipywidgets lacks, for screen readers and keyboards (anywidget):

* ``LiveRegion``: one ``role="status"`` / ``aria-live="polite"`` element that stays in the page
  and whose content is updated, so a screen reader announces each new verdict. (An ipywidgets
  HTML widget replaces its inner element on every update, and a live region inserted with its
  text already in it is not announced.)
* ``RadioGroup``: native radio buttons sharing one ``name`` inside a ``fieldset`` with a
  ``legend``, so the group is one Tab stop with the arrow keys moving inside it, as in any web
  form. (ipywidgets' radio buttons share no name: each is its own Tab stop.) A choice is also
  sent as a message, so a Check clicked at once is judged on it even on a slow kernel.
* ``TextBox``: a labelled text box that commits its text the same way (ipywidgets' Text can
  lose that race: its update may be held back while a Check click goes at once).

Imported only when a question is displayed.
"""

from __future__ import annotations

import anywidget
import traitlets

#: What the three scripts share, written once and put before each.
_SHARED = """
// An element with its properties and its style set.
function element(tag, properties = {}, style = {}) {
  const node = Object.assign(document.createElement(tag), properties);
  Object.assign(node.style, style);
  return node;
}
// A name or id that no other widget on the page has.
let widgets = 0;
const uniqueName = (prefix) => `${prefix}-${++widgets}-${Date.now().toString(36)}`;
// ipywidgets holds back a state update while an earlier one is in flight, but sends a button's
// click at once: the value also goes as a message, which keeps its place before a Check
// clicked right after it.
function commit(model, value) {
  model.set("value", value);
  model.save_changes();
  model.send({ value });
}
"""

_LIVE_REGION = _SHARED + """
function render({ model, el }) {
  const region = element("div", { className: "course-live-region" });
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  const update = () => { region.innerHTML = model.get("html"); };
  update();
  model.on("change:html", update);
  el.appendChild(region);
}
export default { render };
"""

_RADIO_GROUP = _SHARED + """
function render({ model, el }) {
  const name = uniqueName("course-radio");
  const fieldset = element("fieldset", { className: "course-radio-group" }, { border: "none", padding: "0" });
  fieldset.appendChild(element("legend", { textContent: model.get("description") }));
  const inputs = model.get("options").map((text) => {
    const input = element("input", { type: "radio", name, value: text, checked: model.get("value") === text });
    input.addEventListener("change", () => { if (input.checked) commit(model, text); });
    const label = element("label", {}, { display: "block", margin: "0.2em 0" });
    label.append(input, " ", text);
    fieldset.appendChild(label);
    return input;
  });
  // The arrow keys move the choice inside the group, as in any web form. JupyterLab would
  // otherwise take them to move between cells; preventing the default tells it not to.
  const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
  fieldset.addEventListener("keydown", (event) => {
    if (!(event.key in step) || !inputs.length) return;
    event.preventDefault();
    event.stopPropagation();
    const here = Math.max(0, inputs.indexOf(document.activeElement));
    const next = inputs[(here + step[event.key] + inputs.length) % inputs.length];
    next.focus();
    next.checked = true;
    next.dispatchEvent(new Event("change"));
  });
  model.on("change:value", () => { inputs.forEach((i) => { i.checked = i.value === model.get("value"); }); });
  el.appendChild(fieldset);
}
export default { render };
"""

_TEXT_BOX = _SHARED + """
function render({ model, el }) {
  const id = uniqueName("course-text");
  const label = element("label", { htmlFor: id, textContent: model.get("description") }, { marginRight: "0.5em" });
  const input = element(
    "input",
    { type: "text", id, value: model.get("value"), placeholder: model.get("placeholder"), title: model.get("tooltip") },
    { minWidth: "16em" },
  );
  // Sent when the text is committed (Enter or leaving the box).
  input.addEventListener("change", () => commit(model, input.value));
  model.on("change:value", () => { if (input.value !== model.get("value")) input.value = model.get("value"); });
  el.append(label, input);
}
export default { render };
"""


class LiveRegion(anywidget.AnyWidget):
    """A status region that stays in place; set ``html`` to update what it says."""

    _esm = _LIVE_REGION
    html = traitlets.Unicode("").tag(sync=True)


class _SendsValue(anywidget.AnyWidget):
    """Takes its ``value`` from a message as well as from the state update (see the scripts):
    ipywidgets may hold an update back while an earlier one is in flight, but a message keeps
    its place before a Check clicked right after it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._take)

    def _accepts(self, value: object) -> bool:
        return isinstance(value, str)

    def _take(self, _widget: object, content: object, _buffers: object) -> None:
        if isinstance(content, dict) and self._accepts(content.get("value")):
            self.value = content["value"]


class RadioGroup(_SendsValue):
    """Choose one of ``options``; ``value`` is the chosen text, or None."""

    _esm = _RADIO_GROUP
    options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    description = traitlets.Unicode("Answer:").tag(sync=True)

    def _accepts(self, value: object) -> bool:
        return value in self.options


class TextBox(_SendsValue):
    """A labelled one-line text box whose ``value`` is set when the text is committed (Enter or
    leaving the box)."""

    _esm = _TEXT_BOX
    value = traitlets.Unicode("").tag(sync=True)
    description = traitlets.Unicode("Answer:").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    tooltip = traitlets.Unicode("").tag(sync=True)
