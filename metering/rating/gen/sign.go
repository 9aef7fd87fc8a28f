package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"indicia/metering/rating"
)

func runSign(args []string) error {
	fs := newFlags("sign")
	dir := fs.String("dir", "metering/rating/tables", "directory of table files")
	keyPath := fs.String("key", "metering/rating/devkey/rate-signing-dev.key.pem", "PEM private key (ECDSA P-256)")
	_ = fs.Parse(args)
	data, err := os.ReadFile(*keyPath)
	if err != nil {
		return fmt.Errorf("read key: %w", err)
	}
	key, err := rating.ParsePrivateKeyPEM(data)
	if err != nil {
		return err
	}
	if err := rating.SignTables(*dir, key); err != nil {
		return err
	}
	fmt.Println("signed tables in", *dir)
	return nil
}

func runKeygen(args []string) error {
	fs := newFlags("keygen")
	out := fs.String("out", "", "output directory (required)")
	_ = fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("keygen: -out is required")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "rate-signing.key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "rate-signing.pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		return err
	}
	fmt.Println("wrote rate-signing.key.pem and rate-signing.pub.pem in", *out)
	return nil
}
