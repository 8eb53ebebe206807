// Imported first by the benchmark: the bot's logger reads LOG_LEVEL when it is loaded.
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV ??= 'test';
export {};
