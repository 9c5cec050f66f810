"""The action plan (handlingsplan) of one evaluation: area by area, the area's improvement areas,
numbered, with the actions on each under it, then the actions on none. One key adds an action
(n), edits one (enter), sets its status (1–4, space moves it on), comments on it (c), shows its
log (l) or removes it (x). Every change goes through app.apply under the app's evaluator: shown at
once, saved in the background, refused with the reason (a bad date, a team you are not on).

The words are exchange.plans' (the CLI's and the reports' too): a status, a tally, an action line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from kompass_tui import i18n
from kompass_tui.core import actions
from kompass_tui.core.edits import Change
from kompass_tui.core.model import STATUSES, Action, LogEntry
from kompass_tui.core.sanitize import MAX_NAME, one_line, visible
from kompass_tui.errors import KompassError
from kompass_tui.exchange import plans
from kompass_tui.service.bench import today
from kompass_tui.tui.fields import SafeInput, SafeTextArea
from kompass_tui.tui.keys import key_of
from kompass_tui.tui.rowlist import WrappedList
from kompass_tui.tui.screens.base import EvaluationScreen, KompassModal
from kompass_tui.tui.widgets import TitleBar, line, settle

if TYPE_CHECKING:
    from kompass_tui.tui.app import Loaded

WIDE = 110  # from these many columns the highlighted action's details beside the list, in full
NEXT = {"planned": "started", "started": "done"}  # what space moves an action on to
OVERDUE_STYLE = "bold red"  # with the word: it shows without colour too
STATUS_STYLES = {"done": "green", "dropped": "dim"}


def when(at: str) -> str:
    """A log entry's time as the user reads it: local, to the minute."""
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return one_line(at)


def log_line(entry: LogEntry, lang: str) -> str:
    """'2026-03-02 10:00 Anna: ◐ started — the comment' (plain: the widget makes it safe)."""
    status = f"{plans.STATUS_MARKS.get(entry.status, '?')} {plans.status_word(entry.status, lang)}"
    said = f" — {one_line(entry.comment)}" if entry.comment else ""
    return f"{when(entry.at)} {one_line(entry.by)}: {status}{said}"


def action_text(action: Action, lang: str, day: str) -> Text:
    """An action's row: plans.action_line, its id bold, its status coloured, 'overdue' in a style."""
    shown = visible(plans.action_line(action, lang, day), lines=False)
    text = Text(shown, style="dim" if action.status == "dropped" else "")
    text.stylize("bold", 0, len(action.id))
    mark = len(action.id) + 1
    text.stylize(STATUS_STYLES.get(action.status, "bold"), mark, mark + 1)
    late = f"({i18n.t(lang, 'overdue')})"
    if day and action.overdue(day) and shown.endswith(late):
        text.stylize(OVERDUE_STYLE, len(shown) - len(late), len(shown))
    return text


@dataclass(frozen=True)
class ActionFields:
    """What the form holds: typed text, checked by the core (actions.add, actions.update)."""

    title: str
    improvement: int | None
    owner: str
    due: str
    description: str


class ActionFormScreen(KompassModal[bool]):
    """The form for a new action or an edit: title (required), improvement area (its number),
    owner, due date, description. Saved with ctrl+s, or enter in the last one-line field;
    what the core refuses (no title, a bad date, an improvement area not in the list, a team you
    are not on) is one line here, and nothing is saved. Returns True if saved."""

    CSS_PATH = ["dialogs.tcss", "plan.tcss"]
    BINDINGS = [
        Binding("ctrl+s", "save", "k_save", id="kompass.action_form.save"),
        Binding("escape", "cancel", "k_cancel", id="kompass.action_form.cancel"),
        # Enter in a one-line field: the next field, as the key comes (priority), so that keys typed
        # in one burst ("title⏎owner") land in the fields they were typed for.
        Binding("enter", "next_field", "k_next", show=False, priority=True, id="kompass.action_form.next"),
    ]

    def __init__(
        self,
        heading: str,
        items: list[str],
        save: Callable[[ActionFields], str | None],
        action: Action | None = None,
        improvement: int | None = None,
    ):
        """items: the area's improvement areas; save(fields) saves, or gives the reason it did not."""
        super().__init__()
        self.heading, self.items, self.save = heading, items, save
        self.action = action
        self.improvement = action.improvement if action is not None else improvement

    def compose(self) -> ComposeResult:
        t, action = self.app.t, self.action
        n = len(self.items)
        with Vertical(classes="dialog action-form"):
            yield Static(line(self.heading), classes="dialog-title")  # (wraps: an area's name may be long)
            with Horizontal(classes="form-row"):
                yield Label(t("tui_plan_title_field"))
                yield SafeInput(
                    action.title if action else "",
                    id="title",
                    compact=True,
                    placeholder=t("tui_plan_title_placeholder"),
                    max_length=MAX_NAME * 4,
                )
            with Horizontal(classes="form-row"):
                yield Label(t("improvement_area"))
                yield Input(
                    str(self.improvement) if self.improvement else "",
                    id="improvement",
                    compact=True,
                    restrict=r"[0-9]*",
                    max_length=3,
                    placeholder=t("tui_plan_improvement_placeholder", n=n) if n else "",
                )
                yield Static(id="improvement-text", classes="hint")
            with Horizontal(classes="form-row"):
                yield Label(t("owner"))
                yield SafeInput(
                    action.owner if action else "",
                    id="owner",
                    compact=True,
                    placeholder=t("tui_plan_owner_placeholder"),
                    max_length=MAX_NAME,
                )
            with Horizontal(classes="form-row"):
                yield Label(t("due"))
                yield Input(
                    action.due if action else "",
                    id="due",
                    compact=True,
                    restrict=r"[^\x00-\x1f\x7f-\x9f]*",  # a bad date is typed as it is, and refused with the reason
                    max_length=20,
                    placeholder=t("tui_plan_due_placeholder"),
                )
            yield Label(t("description"), classes="form-label")
            yield SafeTextArea(visible(action.description) if action else "", id="description", soft_wrap=True)
            yield Static(id="form-error", classes="error")
            with Horizontal(classes="form-buttons"):
                yield Button(t("tui_plan_save"), id="save", variant="primary", compact=True)
                yield Button(t("cancel"), id="cancel", compact=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        settle(self)
        self._show_improvement(self.query_one("#improvement", Input).value)
        self.query_one("#title", Input).focus()

    def _show_improvement(self, typed: str) -> None:
        """Under the number: the improvement area it names, or what may be given."""
        t, n = self.app.t, len(self.items)
        number = int(typed) if typed.isdigit() else 0
        if not n:
            shown = line(f"({t('tui_plan_improvement_missing')})" if number else "")
        elif not number:
            shown = line(t("tui_plan_improvement_none"))
        elif number <= n:
            shown = line(f"{number}. {self.items[number - 1]}")
        else:
            shown = line(t("tui_plan_improvement_bad", n=n))
        self.query_one("#improvement-text", Static).update(shown)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "improvement":
            self._show_improvement(event.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Enter moves on from a one-line field only: in the description it starts a line, on a button it presses it.
        return action != "next_field" or isinstance(self.focused, Input)

    def action_next_field(self) -> None:
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(False)

    @property
    def fields(self) -> ActionFields:
        typed = self.query_one("#improvement", Input).value
        return ActionFields(
            title=self.query_one("#title", Input).value,
            improvement=int(typed) if typed.isdigit() and int(typed) else None,
            owner=self.query_one("#owner", Input).value,
            due=self.query_one("#due", Input).value,
            description=self.query_one("#description", SafeTextArea).text,
        )

    def action_save(self) -> None:
        fields, n = self.fields, len(self.items)
        if fields.improvement is not None and fields.improvement > n:  # said in the form's words, not the CLI's
            refused: str | None = self.app.t("tui_plan_improvement_refused", number=fields.improvement, n=n)
            if not n:
                refused = self.app.t("tui_plan_improvement_missing")
        else:
            refused = self.save(fields)
        if refused is not None:
            self.query_one("#form-error", Static).update(line(refused))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PlanScreen(EvaluationScreen):
    CSS_PATH = "plan.tcss"
    HELP_KEY = "tui_plan_help"
    BINDINGS = [
        Binding("n", "new", "k_new_action", id="kompass.plan.new"),
        # (priority: before the list's own enter, which opens)
        Binding("enter", "edit", "k_edit", priority=True, id="kompass.plan.edit"),
        Binding(
            "1",
            "status('planned')",
            "k_set_status",
            key_display="1–4",
            tooltip="k_set_status_long",
            id="kompass.plan.status.planned",
        ),
        *(
            Binding(
                str(n),
                f"status('{status}')",
                "k_set_status",
                show=False,
                tooltip="k_set_status_long",
                id=f"kompass.plan.status.{status}",
            )
            for n, status in enumerate(STATUSES[1:], 2)
        ),
        Binding("space", "advance", "k_advance", show=False, id="kompass.plan.advance"),
        Binding("c", "comment", "k_comment", id="kompass.plan.comment"),
        Binding("l", "log", "k_log", show=False, id="kompass.plan.log"),  # (the details say so: Log (l))
        Binding("x", "remove", "k_remove", id="kompass.plan.remove"),
        Binding("delete", "remove", "k_remove", show=False, id="kompass.plan.remove.alternate"),
        Binding("escape", "app.pop_screen", "k_back", id="kompass.plan.back"),
    ]

    def __init__(self, eid: str, loaded: Loaded | None = None, area_id: str | None = None):
        """Open at area_id's heading (else the first area's)."""
        super().__init__(eid, loaded)
        self.start_area = area_id
        self.rows: dict[str, tuple[str, int | None, Action | None]] = {}  # row id: (area, improvement, action)
        self.day = today()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Container(id="plan-body"):
            yield WrappedList(id="plan")
            yield Static(id="detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = f"{self.ev.title} · {self.app.t('action_plan')}"
        plan = self.query_one("#plan", WrappedList)
        plan.border_title = self.app.t("action_plan")
        self.render_plan(f"a:{self.start_area}" if self.start_area else None)
        plan.focus()
        self.watch(plan, "cursor", self.render_detail, init=False)
        self.call_after_refresh(plan.cursor_to_top)  # the area opened at, from its heading down

    def on_resize(self) -> None:
        super().on_resize()
        body = self.query_one("#plan-body")
        wide = self.size.width >= WIDE
        if body.has_class("-wide") != wide:
            body.set_class(wide, "-wide")
            self.render_detail()

    def show_fresh(self) -> None:
        self.render_plan()

    # -- what is shown --------------------------------------------------------------------

    def render_plan(self, highlight: str | None = None) -> None:
        """Every area: its heading (with the tally), its improvement areas with their actions, then
        its actions on none. The cursor stays on the row it was on (or goes to highlight)."""
        ev, fw, t, lang, day = self.ev, self.fw, self.app.t, self.app.lang, self.day
        rows: dict[str, tuple[str, int | None, Action | None]] = {}
        texts: dict[str, Text] = {}
        figures: dict[str, str] = {}
        for area in fw.areas:
            planned = ev.plan(area.id)
            items = actions.improvement_items(ev.area(area.id).improvements)
            head = f"a:{area.id}"
            rows[head] = (area.id, None, None)
            texts[head] = line(f"{area.id} {area.name(lang)}", style="bold")
            figures[head] = plans.tally_text(actions.tally(planned, day), lang) if planned else ""
            for n, item in enumerate(items, 1):
                rows[f"i:{area.id}:{n}"] = (area.id, n, None)
                texts[f"i:{area.id}:{n}"] = Text("  ").append_text(line(f"{n}. {item}", style="italic"))
                for action in planned:
                    if action.improvement == n:
                        rows[f"x:{action.id}"] = (area.id, n, action)
            loose = [a for a in planned if a.improvement is None or not 1 <= a.improvement <= len(items)]
            if loose:
                rows[f"l:{area.id}"] = (area.id, None, None)
                texts[f"l:{area.id}"] = Text(f"  – {t('tui_plan_loose')}", style="italic")
                for action in loose:
                    rows[f"x:{action.id}"] = (area.id, None, action)
        for row_id, (_, _, shown) in rows.items():
            if shown is not None:
                texts[row_id] = Text("    ").append_text(action_text(shown, lang, day))
        self.rows = rows
        plan = self.query_one("#plan", WrappedList)
        plan.set_rows(list(rows), texts.__getitem__, highlight or plan.highlighted_id, lambda r: figures.get(r, ""))
        self.render_detail()

    @property
    def current(self) -> tuple[str, int | None, Action | None]:
        """The highlighted row: its area, improvement area (number) and action (None on a heading)."""
        row_id = self.query_one("#plan", WrappedList).highlighted_id
        return self.rows.get(row_id or "", (self.fw.areas[0].id, None, None))

    @property
    def action(self) -> Action | None:
        return self.current[2]

    def render_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        area_id, improvement, action = self.current
        wide = self.query_one("#plan-body").has_class("-wide")
        detail.update(
            self.details(action, full=wide) if action is not None else self.about(area_id, improvement), layout=False
        )

    def about(self, area_id: str, improvement: int | None) -> Text:
        """Under a heading or an improvement area: the area, how its actions stand, and the key to add one."""
        t, lang = self.app.t, self.app.lang
        area, key = self.fw.area(area_id), key_of(self, "kompass.plan.new")
        text = line(f"{area.id} {area.name(lang)}", style="bold")
        text.append("\n" + plans.tally_text(actions.tally(self.ev.plan(area_id), self.day), lang) + "\n")
        items = self._items(area_id)
        if improvement is not None and improvement <= len(items):
            text.append_text(line(t("tui_plan_on", n=improvement, text=items[improvement - 1])))
            text.append("\n" + t("tui_plan_new_on", letter=key, n=improvement))
        else:
            text.append(t("tui_plan_new_here", letter=key, area=area.id))
        return text

    def details(self, action: Action, full: bool, oldest_first: bool = False) -> Text:
        """The highlighted action: its improvement area, owner and due date, description and log
        (newest first, unless oldest_first). full: the texts in full (the pane beside the list, the
        log's dialog), else one line each."""
        t, lang = self.app.t, self.app.lang

        def shown(value: str) -> str:
            return visible(value).strip() if full else one_line(value)

        text = Text()
        if full:
            text.append_text(action_text(action, lang, self.day)).append("\n\n")
        on = plans.improvement_of(self.ev, action)
        if on:
            text.append(t("tui_plan_on", n=action.improvement, text=shown(on)) + "\n")
        facts = [f"{t('owner')}: {one_line(action.owner) or '–'}", f"{t('due')}: {action.due or '–'}"]
        text.append(" · ".join(facts))
        if self.day and action.overdue(self.day):
            text.append(" ")
            text.append(f"({t('overdue')})", style=OVERDUE_STYLE)
        text.append("\n")
        if action.description:
            text.append(f"{t('description')}: ", style="bold")
            text.append(shown(action.description) + "\n")
        log = action.log if oldest_first else tuple(reversed(action.log))
        entries = [visible(log_line(entry, lang), lines=False) for entry in log]
        if full:  # an entry a line
            text.append(f"\n{t('log')}:\n", style="bold")
            text.append("\n".join(f"  {entry}" for entry in entries) or "–")
        else:  # the newest first, on one line; l shows the whole
            text.append(f"{t('log')} ({key_of(self, 'kompass.plan.log')}): ", style="bold")
            text.append(" · ".join(entries) or "–")
        return text

    # -- changes ---------------------------------------------------------------------------

    def change(self, make: Callable[[], Change], highlight: str | None = None) -> bool:
        """Apply a change of the plan under the evaluator's name (shown at once, saved in the
        background); its refusal is shown as every save's is. True if made."""
        shown = self.app.save(lambda: self.app.apply(self.eid, self.ev, self.fw, make()))
        if shown is None:
            return False
        self.ev = shown
        self.render_plan(highlight)
        return True

    def _items(self, area_id: str) -> list[str]:
        return actions.improvement_items(self.ev.area(area_id).improvements)

    def _form(self, action: Action | None, area_id: str, improvement: int | None = None) -> ActionFormScreen:
        t, lang = self.app.t, self.app.lang
        area = self.fw.area(area_id)
        heading = (
            t("tui_plan_edit", id=action.id) + f" {one_line(action.title)}"
            if action is not None
            else t("tui_plan_new", area=area.id) + f" {one_line(area.name(lang))}"
        )
        return ActionFormScreen(
            heading, self._items(area_id), lambda fields: self._save(action, area_id, fields), action, improvement
        )

    def _save(self, action: Action | None, area_id: str, fields: ActionFields) -> str | None:
        """The form's save: None if saved, else why not (nothing is saved then)."""
        by = self.app.evaluator
        try:
            if action is None:
                change = actions.add(
                    area_id, fields.title, by, fields.improvement, fields.owner, fields.due, fields.description
                )
            else:
                change = actions.update(
                    action.id,
                    by,
                    owner=fields.owner,
                    due_date=fields.due,
                    title=fields.title,
                    description=fields.description,
                    improvement=fields.improvement,
                )
            shown = self.app.apply(self.eid, self.ev, self.fw, change)
        except KompassError as exc:
            return exc.words_in(self.app.lang)
        self.ev = shown
        made = action.id if action is not None else shown.plan(area_id)[-1].id
        self.render_plan(f"x:{made}")
        return None

    def action_new(self) -> None:
        area_id, improvement, _ = self.current
        self.app.push_screen(self._form(None, area_id, improvement))

    def action_edit(self) -> None:
        area_id, improvement, action = self.current
        self.app.push_screen(self._form(action, area_id, improvement))

    def _chosen(self) -> Action | None:
        """The highlighted action; else says to highlight one."""
        action = self.action
        if action is None:
            self.notify(self.app.t("tui_plan_pick_action"), severity="warning")
        return action

    def action_status(self, status: str) -> None:
        action = self._chosen()
        if action is not None and action.status != status:
            self.change(lambda: actions.update(action.id, self.app.evaluator, state=status))

    def action_advance(self) -> None:
        action = self._chosen()
        if action is None:
            return
        after = NEXT.get(action.status)
        if after is None:
            status = plans.status_word(action.status, self.app.lang)
            self.notify(self.app.t("tui_plan_status_end", id=action.id, status=status))
            return
        self.action_status(after)

    def action_comment(self) -> None:
        from kompass_tui.tui.screens.dialogs import PromptScreen

        action = self._chosen()
        if action is None:
            return
        t = self.app.t

        def said(comment: str | None) -> None:
            if comment and comment.strip():
                self.change(lambda: actions.update(action.id, self.app.evaluator, comment=comment))

        title = t("tui_plan_comment_title", id=action.id, title=one_line(action.title))
        self.app.push_screen(PromptScreen(title, t("tui_plan_comment_hint")), said)

    def action_log(self) -> None:
        from kompass_tui.tui.screens.dialogs import InfoScreen

        action = self._chosen()
        if action is None:
            return
        body = self.details(action, full=True, oldest_first=True)
        title = self.app.t("tui_plan_log_title", id=action.id, title=one_line(action.title))
        self.app.push_screen(InfoScreen(title, body))

    def action_remove(self) -> None:
        from kompass_tui.tui.screens.dialogs import ConfirmScreen

        action = self._chosen()
        if action is None:
            return
        t = self.app.t

        def answered(yes: bool | None) -> None:
            if yes and self.change(lambda: actions.remove(action.id, self.app.evaluator), f"a:{action.area}"):
                self.notify(t("tui_plan_removed", id=action.id))

        question = t("tui_plan_remove_question", id=action.id, title=one_line(action.title))
        self.app.push_screen(ConfirmScreen(question), answered)
