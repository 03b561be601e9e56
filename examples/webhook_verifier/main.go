// Command webhook_verifier is a copy-paste receiver of faregraph webhooks:
// it checks each delivery's Faregraph-Signature header (HMAC-SHA256 over
// "<t>.<body>" with the endpoint's secret, t the Unix time in the header,
// refused when more than 5 minutes off) and deduplicates by
// Faregraph-Event-Id, since deliveries are at least once.
//
//	FAREGRAPH_WEBHOOK_SECRET=whsec_... go run ./examples/webhook_verifier
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func verify(secret, header string, body []byte) bool {
	var ts, sig string
	for _, p := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if k == "t" {
			ts = v
		} else if k == "v1" {
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}

func main() {
	secret := os.Getenv("FAREGRAPH_WEBHOOK_SECRET")
	var mu sync.Mutex
	seen := map[string]bool{}
	http.HandleFunc("POST /webhooks/faregraph", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !verify(secret, r.Header.Get("Faregraph-Signature"), body) {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		id := r.Header.Get("Faregraph-Event-Id")
		mu.Lock()
		dup := seen[id]
		seen[id] = true
		mu.Unlock()
		if !dup {
			log.Printf("event %s %s: %s", id, r.Header.Get("Faregraph-Event-Type"), body)
		}
		w.WriteHeader(http.StatusNoContent) // any 2xx acknowledges
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8088", nil))
}
