/**
 * The update Telegram sends for a command (`/start`, `/help`…) that user `userId` types in their
 * private chat: the first update and message of the chat, the command marked as a bot_command.
 */
export function privateCommandUpdate(userId: number, firstName: string, command: string) {
  return {
    update_id: 1,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: firstName },
      from: { id: userId, is_bot: false, first_name: firstName },
      text: command,
      entities: [{ type: "bot_command", offset: 0, length: command.length }],
    },
  };
}
