// Placeholder until the MeCab build script lands.
