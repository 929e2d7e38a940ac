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

_LIVE_REGION = """
function render({ model, el }) {
  const region = document.createElement("div");
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  region.className = "course-live-region";
  const update = () => { region.innerHTML = model.get("html"); };
  update();
  model.on("change:html", update);
  el.appendChild(region);
}
export default { render };
"""

_RADIO_GROUP = """
let groups = 0;
function render({ model, el }) {
  const name = `course-radio-${++groups}-${Date.now().toString(36)}`;
  const fieldset = document.createElement("fieldset");
  fieldset.className = "course-radio-group";
  fieldset.style.border = "none";
  fieldset.style.padding = "0";
  const legend = document.createElement("legend");
  legend.textContent = model.get("description");
  fieldset.appendChild(legend);
  const inputs = model.get("options").map((text) => {
    const label = document.createElement("label");
    label.style.display = "block";
    label.style.margin = "0.2em 0";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = text;
    input.checked = model.get("value") === text;
    input.addEventListener("change", () => {
      if (!input.checked) return;
      model.set("value", text);
      model.save_changes();
      // ipywidgets holds back a state update while an earlier one is in flight, but sends a
      // button's click at once: the choice also goes as a message, which keeps its place
      // before a Check clicked right after it.
      model.send({ value: text });
    });
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


_TEXT_BOX = """
let boxes = 0;
function render({ model, el }) {
  const id = `course-text-${++boxes}-${Date.now().toString(36)}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = model.get("description");
  label.style.marginRight = "0.5em";
  const input = document.createElement("input");
  input.type = "text";
  input.id = id;
  input.value = model.get("value");
  input.placeholder = model.get("placeholder");
  input.title = model.get("tooltip");
  input.style.minWidth = "16em";
  // Sent when the text is committed (Enter or leaving the box), as a state update and as a
  // message: ipywidgets may hold back the update while an earlier one is in flight, but the
  // message keeps its place before a Check pressed right after it.
  input.addEventListener("change", () => {
    model.set("value", input.value);
    model.save_changes();
    model.send({ value: input.value });
  });
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
