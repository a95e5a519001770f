// @pakawaaz/test-support/browser: real Chromium (Debian's) for the browser tests, and driving the officials' web
// chat in it. A face of its own: only browser tests load playwright-core.
export {
  CHROMIUM,
  STEP_MS,
  chromiumAvailable,
  expectNoProblems,
  launchChromium,
  openContext,
  pagesReport,
  visible,
  type Problem,
} from './chromium.js';
export {
  CHAT_MS,
  enrolAndOpenChat,
  findPeople,
  message,
  send,
  shown,
  signIn,
  startChatWith,
} from './web-chat-page.js';
