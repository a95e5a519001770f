/** APK inspection (see package.json). The public face: each part exports from here. */
export {};
