// Package config reads Indicia's settings from environment variables once, in
// main, and hands typed values down. Every secret may also be read from a file
// named by NAME_FILE, so container secrets and systemd credentials work without
// putting the value in the environment. serve and worker have no setting for key
// material: that lives only in the box process (metering/box).
package config
