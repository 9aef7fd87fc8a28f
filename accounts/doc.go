// Package accounts holds master accounts, their users, roles and permissions,
// passwords (argon2id), server-side sessions in Redis, login throttling, login
// history and API keys. Every exported method that acts for someone takes the
// acting user and checks the right itself, so authorization holds whether the
// call comes from a page, the API or a job, not only where middleware guards it.
package accounts
