import "./OutsideTelegram.css";

/** Shown when the page is opened in an ordinary browser without Telegram's launch data. */
export function OutsideTelegram() {
  return (
    <div class="outside" data-testid="outside">
      <div class="outside-mark" aria-hidden="true">
        ◢
      </div>
      <h1>Open this from Telegram</h1>
      <p>
        Sortie's mission briefing runs inside Telegram, which vouches for who you are. Tap <b>Open mission</b> under a
        signal in your Telegram chat, or open the bot's menu button.
      </p>
      <p class="hint">
        Running Sortie locally without a bot? Use the local link the server prints: it carries the signed launch data
        after <code>#tgWebAppData=</code>.
      </p>
    </div>
  );
}
