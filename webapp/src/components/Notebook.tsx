import "./Notebook.css";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { useServices } from "../context.ts";

const MAX_CHARS = 4000;
const AUTOSAVE_MS = 1200;

type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; at: string }
  | { kind: "error"; error: ApiError };

/** The trader's private notes on this mission, saved a moment after typing stops (or on Save). */
export function Notebook({ signalId, initial }: { signalId: string; initial: string }) {
  const { api } = useServices();
  const [text, setText] = useState(initial);
  const [save, setSave] = useState<SaveState>({ kind: "idle" });
  const saved = useRef(initial);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  async function persist(value: string) {
    clearTimeout(timer.current);
    if (value === saved.current) return;
    setSave({ kind: "saving" });
    try {
      const note = await api.saveNote(signalId, value);
      saved.current = value;
      setSave({ kind: "saved", at: note.updated_at });
    } catch (caught) {
      setSave({ kind: "error", error: caught as ApiError });
    }
  }

  useEffect(() => () => clearTimeout(timer.current), []);

  const dirty = text !== saved.current;
  return (
    <section class="card notebook" data-testid="notebook">
      <h2 class="card-title">Notebook</h2>
      <textarea
        class="notebook-text"
        data-testid="note"
        placeholder="Private notes on this mission: why you take it, where you'd bail out…"
        maxLength={MAX_CHARS}
        rows={3}
        value={text}
        onInput={(event) => {
          const value = event.currentTarget.value;
          setText(value);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => void persist(value), AUTOSAVE_MS);
        }}
        onBlur={() => void persist(text)}
      />
      <div class="notebook-foot">
        <span class="hint notebook-state" data-testid="note-state" data-state={save.kind}>
          {save.kind === "saving" && "Saving…"}
          {save.kind === "saved" &&
            !dirty &&
            `Saved ${new Date(save.at).toLocaleTimeString([], { timeStyle: "short" })}`}
          {save.kind === "error" && <span class="notebook-error">Not saved: {save.error.message}</span>}
          {save.kind !== "saving" && dirty && save.kind !== "error" && "Unsaved changes"}
          {save.kind === "idle" && !dirty && "Only you can see this."}
        </span>
        <button
          type="button"
          class="btn"
          data-testid="note-save"
          disabled={!dirty || save.kind === "saving"}
          onClick={() => void persist(text)}
        >
          {save.kind === "error" ? "Retry" : "Save"}
        </button>
      </div>
    </section>
  );
}
