// Package box is the secure box of Indicia: the meter box, the steel box
// (key store), the transaction box and the authentication box, run as their
// own process (`indicia box`, RunServer) behind a unix socket, and the
// Client that serve and worker use. All key material lives in the box: the
// passphrase-encrypted keystore, meter keys only ever leave wrapped, and
// meter records carry an HMAC only the box can make. Every meter operation
// follows the patent's Fig. 5 order (verify MAC, compare freshness with the
// box's own store (an append-only log), unwrap the key, accounting, update freshness, sign,
// MAC the new record) and the box/database hand-off protocol of docs/ARCHITECTURE.md, so a crash
// between the box and the database commit neither loses postage nor raises
// a false tamper alert. A meter unknown to the freshness store is accepted
// only at counter 0: every operation passes the store, so a later record
// unknown to it can only come from a lost store and is refused, while the
// counter-0 record has empty registers and gains nothing by replay (and
// creating a meter need not write the store, so a creation the database
// rolled back leaves nothing behind). Freshness writes of concurrent
// requests are group-committed (one append and one fdatasync for whatever
// is queued) and overlap the signing; the box answers only
// once its write is durable. Connections are authenticated by the
// kernel's peer credentials (SO_PEERCRED) rather than a shared secret: a
// secret would be key material in serve, which must hold none, and anyone
// who could read it could use it; the uid the kernel reports cannot be
// forged (BOX_ALLOWED_UIDS lists the uids served; a refused peer is told so
// on every request), and the socket sits mode 0600 in a 0700 directory, or
// 0660 for the one group a 0710 directory lets in, besides.
package box
