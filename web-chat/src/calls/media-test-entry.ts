// The media test's page script (secure-chat/test/medium/calls-media.medium.spec.ts): CallMedia on `window`,
// and the fake camera and microphone Chromium gives with --use-fake-device-for-media-stream.
import { CallMedia } from './call-media.ts';

Object.assign(globalThis, {
  CallMedia,
  fakeMedia: () =>
    navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120, frameRate: 10 } }),
});
