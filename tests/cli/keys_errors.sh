#!/usr/bin/env bash
# hallmark-keys refuses bad input with one clear line and a non-zero exit, and changes nothing:
# wrong passphrase, corrupt or truncated key files, a tampered audit log, the bad-PNG corpus
# (tests/data/logos/bad), bad display names, colours, senders and domains, usage errors, a
# locked keystore.
set -eu
. tests/cli/lib/keys.sh

expect_ok "init" init --platform "Hallmark Errors" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Errors" # the platform id apps pin (hallmark-verify --platform)
expect_ok "brand" brand add acme-bank --verified-domain acme-bank.example --name "Acme Bank" --logo "$logo_good" --color "#0B5FFF" \
    --sender sms:ACMEBANK@+44 --link-domain acme.example
expect_ok "key add" key add acme-bank
k1=$(cat "$work/out")
ks=$HALLMARK_KEYSTORE

# unchanged WHAT EXIT TEXT ARGS...: expect_fail, and the keystore is byte for byte as before.
unchanged() {
    local before
    before=$(snapshot "$ks")
    expect_fail "$@"
    if [ "$(snapshot "$ks")" != "$before" ]; then bad "$1: the keystore changed"; fi
}

# ---- usage ---------------------------------------------------------------------------------------
hk --help
[ "$status" -eq 0 ] && grep -q "key promote KID" "$work/out" && ok || bad "--help"
grep -qF "  publisher rotate                new publishing key certified by the root; old one deleted" "$work/out" && ok || bad "--help lacks publisher rotate"
grep -qF "  audit seal --reason TEXT" "$work/out" && ok || bad "--help lacks audit seal"
hk help brand
[ "$status" -eq 0 ] && grep -q -- "--sender-prefix" "$work/out" && ok || bad "help brand"
hk help publisher
[ "$status" -eq 0 ] && grep -qF "publisher rotate makes a new publishing key" "$work/out" && ok || bad "help publisher"
unchanged "publisher without a verb" 2 "hallmark-keys: usage: hallmark-keys publisher rotate" publisher
unchanged "unknown command" 2 "unknown command 'frobnicate'" frobnicate
unchanged "unknown option" 2 "unknown option --colr" brand add x --verified-domain x.example --colr "#000000"
unchanged "option without value" 2 "--name needs a value" brand add acme --verified-domain acme.example --name
unchanged "missing options" 2 "brand add needs --name, --logo, --color" brand add globex --name Globex
unchanged "bad brand id" 2 "brand id Acme_Bank" brand add Acme_Bank --verified-domain acme_bank.example --name A --logo "$(logo_for Acme_Bank)" --color "#000000" --sender sms:ACME@+44
unchanged "duplicate brand" 1 "exists already" brand add acme-bank --verified-domain acme-bank.example --name "Acme Bank" --logo "$logo_good" --color "#0B5FFF" --sender sms:ACMEBANK@+44
unchanged "no such brand" 1 "no brand nobody" key add nobody
unchanged "no such key" 1 "no key ZZZZZZZZZZ" key promote ZZZZZZZZZZ
unchanged "bad alg" 2 "--alg is ed25519" key add acme-bank --alg rsa
unchanged "bad duration" 2 "--expires" publish --expires 7weeks
unchanged "init over a keystore" 1 "already holds a keystore" init --platform Again --kdf minimum
HALLMARK_NOW=soon hk status
[ "$status" -eq 2 ] && grep -q "HALLMARK_NOW must be a Unix time" "$work/err" && ok || bad "bad HALLMARK_NOW: $(cat "$work/err")"
unchanged "kid that starts with a dash" 1 "no key -ZZZZZZZZZ" key promote -ZZZZZZZZZ
# One kid in 4,096 starts with "--": a kid, unless it names or abbreviates a long option.
unchanged "kid that starts with two dashes" 1 "no key --ZphIbCDkdjSYCvEU2pX6Pz2hpx5nNPO3QBYfUQ7KQ" \
    key promote --ZphIbCDkdjSYCvEU2pX6Pz2hpx5nNPO3QBYfUQ7KQ --force --reason "a test"
unchanged "an abbreviated option is not a kid" 2 "--sender-p needs a value" key promote --sender-p
unchanged "reason with a control character" 2 "--reason: 1-512 bytes" key revoke "$k1" --reason $'a\x01b'
unchanged "propagation below an hour" 2 "--propagation: a duration from 1h" init --platform P --propagation 1s
chmod 755 "$ks"
unchanged "keystore others may enter" 2 "others may use it (mode 755): chmod 700 it" status
chmod 700 "$ks"
HALLMARK_KEYSTORE= hk status
[ "$status" -eq 2 ] && grep -q "pass --dir DIR or set HALLMARK_KEYSTORE" "$work/err" && ok || bad "no keystore given: $(cat "$work/err")"

# ---- passphrases and key files -------------------------------------------------------------------
printf 'not the passphrase\n' >"$work/wrong"
chmod 600 "$work/wrong"
unchanged "wrong passphrase" 1 "wrong passphrase" publish --passphrase-file "$work/wrong"
unchanged "publisher rotate, wrong passphrase" 1 "wrong passphrase" publisher rotate --passphrase-file "$work/wrong"
HALLMARK_PASSPHRASE_FILE=$work/wrong hk key add acme-bank
[ "$status" -eq 1 ] && grep -q "wrong passphrase" "$work/err" && ok || bad "key add must prove the passphrase first"
chmod 644 "$work/wrong"
unchanged "passphrase file readable by others" 1 "chmod 600 it" publish --passphrase-file "$work/wrong"
unchanged "missing passphrase file" 2 "cannot read passphrase file" publish --passphrase-file "$work/none"
if command -v setsid >/dev/null; then
    set +e
    HALLMARK_PASSPHRASE_FILE= setsid "$keys_cli" publish >"$work/out" 2>"$work/err" </dev/null
    status=$?
    set -e
    [ "$status" -eq 2 ] && grep -q "no terminal to ask for the passphrase" "$work/err" && ok || bad "no tty: $(cat "$work/err")"
fi
pub=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["publisher"]["kid"])' "$ks/keystore.json")
cp "$ks/secret/$pub.key" "$work/pub.key"
head -c 100 "$work/pub.key" >"$ks/secret/$pub.key"
unchanged "truncated key file" 1 "corrupt or truncated key file" publish
python3 - "$work/pub.key" "$ks/secret/$pub.key" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["ciphertext"]
d["ciphertext"] = ("A" if c[0] != "A" else "B") + c[1:]
open(sys.argv[2], "w").write(json.dumps(d))
PY
unchanged "altered ciphertext" 1 "key file was altered" publish
python3 - "$work/pub.key" "$ks/secret/$pub.key" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["kdf"]["memlimit"] = 1 << 40
open(sys.argv[2], "w").write(json.dumps(d))
PY
unchanged "key file asking for 1 TiB of memory" 1 "corrupt or truncated key file" publish
printf 'garbage' >"$ks/secret/$pub.key"
unchanged "garbage key file" 1 "corrupt or truncated key file" publish
rm "$ks/secret/$pub.key"
unchanged "missing key file" 2 "No such file" publish
cp "$work/pub.key" "$ks/secret/$pub.key"
expect_ok "publish with the key file back" publish

# ---- the bad-PNG corpus --------------------------------------------------------------------------
pngs=0
while read -r file text; do
    case "$file" in "" | "#"*) continue ;; esac
    pngs=$((pngs + 1))
    unchanged "logo $file" 1 "$text" brand add globex --verified-domain globex.example --name Globex --logo "tests/data/logos/bad/$file" \
        --color "#003399" --sender sms:GLOBEX@+44
done <tests/data/logos/bad/EXPECTED.txt
[ "$pngs" -ge 10 ] && ok || bad "only $pngs bad PNGs in the corpus"
head -c $((9 * 1024 * 1024)) /dev/zero >"$work/huge.png"
unchanged "logo file over 8 MiB" 1 "logo file is larger than" brand add globex --verified-domain globex.example --name Globex --logo "$work/huge.png" --color "#003399" --sender sms:GLOBEX@+44
unchanged "logo file missing" 2 "No such file" brand add globex --verified-domain globex.example --name Globex --logo "$work/absent.png" --color "#003399" --sender sms:GLOBEX@+44

# ---- names, colours, senders, domains -------------------------------------------------------------
name_case() { # WHAT NAME TEXT
    unchanged "name: $1" 1 "$3" brand add globex --verified-domain globex.example --name "$2" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
}
name_case "Latin + Cyrillic" $'\xd0\x90cme Bank' "mixes scripts"
name_case "Latin + Greek omicron" $'Paypal Gl\xce\xbfbex' "mixes scripts"
name_case "not NFC" $'Cafe\xcc\x81' "NFC"
name_case "right-to-left override" $'Acme\xe2\x80\xaeknaB' "U+202E"
name_case "zero-width space" $'Acme\xe2\x80\x8bBank' "U+200B"
name_case "Hangul filler" $'\xe3\x85\xa4' "U+3164"
name_case "control character" $'Acme\x07Bank' "U+0007"
name_case "invalid UTF-8" $'Acme\xc0\xafBank' "UTF-8"
name_case "65 characters" "$(printf 'A%.0s' $(seq 65))" "at most 64"
name_case "leading space" " Acme" "space"
unchanged "colour contrast" 1 "at least 4.5:1" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#FFCC00" --sender sms:GLOBEX@+44
unchanged "colour syntax" 1 "write a colour as #RRGGBB" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "blue" --sender sms:GLOBEX@+44
unchanged "background contrast" 1 "contrast" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --background "#000000" --sender sms:GLOBEX@+44
unchanged "sender without channel" 2 "write CHANNEL:ID" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --sender GLOBEX
unchanged "sender not canonical" 1 "not a valid sms sender id" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --sender "sms:GLOBEX BANK LTD"
unchanged "prefix on e-mail" 1 "on sms or whatsapp only" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --sender-prefix email:+44
# Issue 22, item 5: short codes and alphanumeric ids name their recipients' country; prefixes
# have a minimum length (spec HM-CRED-62, HM-CRED-65, HM-CRED-67).
G=(brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399")
unchanged "alphanumeric id without a country" 1 "--sender sms:GLOBEX: a short code or alphanumeric id belongs to a different firm in each country: name the country calling code of its recipients, e.g. sms:GLOBEX@+44" "${G[@]}" --sender sms:GLOBEX
unchanged "short code without a country" 1 "e.g. sms:60606@+44" "${G[@]}" --sender sms:60606
unchanged "country not a whole code" 1 "--sender sms:GLOBEX@+4: +4 is not a country calling code" "${G[@]}" --sender sms:GLOBEX@+4
unchanged "country longer than its code" 1 "+441 is not a country calling code" "${G[@]}" --sender sms:GLOBEX@+441
unchanged "country on an E.164 sender" 1 "only an sms short code or alphanumeric id names a country" "${G[@]}" --sender sms:+447700900777@+44
unchanged "prefix of all North America" 1 "--sender-prefix sms:+1: a prefix is +, a country code and at least five more digits" "${G[@]}" --sender sms:GLOBEX@+44 --sender-prefix sms:+1
unchanged "prefix four digits past the country code" 1 "at least five more digits" "${G[@]}" --sender sms:GLOBEX@+44 --sender-prefix sms:+447700
unchanged "always-signed sender not given" 1 "--always-signed sms:GLOBEX@+33: not a sender of brand globex" "${G[@]}" --sender sms:GLOBEX@+44 --always-signed sms:GLOBEX@+33
unchanged "always-signed none with a sender" 2 "--always-signed none: given with other senders" "${G[@]}" --sender sms:GLOBEX@+44 --always-signed none --always-signed sms:GLOBEX@+44
unchanged "duplicate sender" 2 "given twice" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44 --sender sms:GLOBEX@+44
unchanged "IP link domain" 1 "not a DNS name" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44 --link-domain 192.0.2.1
# Issue 22 (spec HM-CRED-48, HM-CRED-49): exact hosts, *. for subdomains, no public suffix.
unchanged "link domain a public suffix" 1 "--link-domain co.uk: co.uk is a public suffix (Public Suffix List)" \
    brand update acme-bank --link-domain co.uk
unchanged "link domain a wildcard public suffix" 1 "--link-domain *.co.uk: co.uk is a public suffix" \
    brand update acme-bank --link-domain "*.co.uk"
unchanged "link domain a private public suffix" 1 "github.io is a public suffix" \
    brand update acme-bank --link-domain "*.github.io"
unchanged "link domain with a wildcard inside" 1 "--link-domain pay.*.acme-bank.example: not a DNS name" \
    brand update acme-bank --link-domain "pay.*.acme-bank.example"
HALLMARK_PUBLIC_SUFFIX_LIST=$work/no-such-list unchanged "link domain without the Public Suffix List" 2 \
    "cannot read the Public Suffix List ($work/no-such-list)" brand update acme-bank --link-domain acme-bank.example
expect_ok "link domain with its subdomains" brand update acme-bank --link-domain acme.example --link-domain "*.Acme.example"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); b=[b for b in s["brands"] if b["id"]=="acme-bank"][0]; sys.exit(b["link_domains"] != ["acme.example", "*.acme.example"])' \
    "$ks/keystore.json" && ok || bad "the link domains are not stored as given, lowercased"
unchanged "http logo URL" 1 "needs an https URL" brand add globex --verified-domain globex.example --name Globex --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44 --logo-url http://globex.example/l.png
# Issue 22 (spec HM-CRED-41): a basic brand is shown as "signed by" its verified domain only.
unchanged "basic without a verified domain" 1 "brand globex: level basic proves only control of a domain, and apps show only that domain: give --verified-domain DOMAIN" \
    brand add globex --name Globex --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
unchanged "verified domain not a DNS name" 1 "--verified-domain 192.0.2.1: not a DNS name" \
    brand add globex --verified-domain 192.0.2.1 --name Globex --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
unchanged "verified domain with a trailing dot" 1 "--verified-domain globex.example.: not a DNS name" \
    brand add globex --verified-domain globex.example. --name Globex --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
# Issue 22 (spec HM-CRED-45): the numbers call actions may dial.
unchanged "phone not E.164" 1 "--phone 020 7946 0000: not an E.164 number" \
    brand update acme-bank --phone "020 7946 0000"
unchanged "phone given twice" 2 "phone +442079460000 is given twice" \
    brand update acme-bank --phone +442079460000 --phone +442079460000
unchanged "unknown category" 2 '--categories otp,promotions: "promotions" is not a category' \
    brand update acme-bank --categories otp,promotions
unchanged "category given twice" 2 "--categories otp,otp: otp is given twice" \
    brand update acme-bank --categories otp,otp
unchanged "empty category list" 2 "--categories : list at least one category" \
    brand update acme-bank --categories ""
unchanged "trailing comma" 2 "--categories otp,: list at least one category" \
    brand update acme-bank --categories otp,
expect_ok "all categories by default" brand show acme-bank
grep -qx 'categories   transactional otp alert marketing service' "$work/out" && ok ||
    bad "brand add must list all five categories: $(grep categor "$work/out")"
expect_ok "categories" brand update acme-bank --categories service,otp
expect_ok "categories shown" brand show acme-bank
grep -qx 'categories   otp service' "$work/out" && ok || bad "brand show categories: $(cat "$work/out")"
expect_ok "phones" brand update acme-bank --phone +442079460000 --phone +18005550100
expect_ok "phones shown" brand show acme-bank
grep -qx 'phone        +442079460000 (call actions)' "$work/out" && ok || bad "brand show lacks the phone: $(cat "$work/out")"
unchanged "update with nothing new" 2 "nothing to change" brand update acme-bank --color "#0b5fff"

# ---- confusable names and compatibility forms ([HM-CRED-4]) --------------------------------------
# exact WHAT EXIT LINE ARGS...: unchanged, and stderr is exactly LINE.
exact() {
    local what=$1 want=$2 line=$3
    shift 3
    unchanged "$what" "$want" "$line" "$@"
    if [ "$(cat "$work/err")" != "$line" ]; then bad "$what: stderr is not exactly '$line': $(cat "$work/err")"; fi
}
exact "name: fullwidth Acme" 1 "hallmark-keys: --name: display name contains a compatibility character U+FF21 at character 1 (its NFKC form is \"A\"); write the plain form" \
    brand add globex --name $'\xef\xbc\xa1\xef\xbd\x83\xef\xbd\x8d\xef\xbd\x85' --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: ligature" 1 "hallmark-keys: --name: display name contains a compatibility character U+FB01 at character 1 (its NFKC form is \"fi\"); write the plain form" \
    brand add globex --name $'\xef\xac\x81nance' --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: no-break space" 1 "hallmark-keys: --name: display name contains a compatibility character U+00A0 at character 5 (its NFKC form is \" \"); write the plain form" \
    brand add globex --name $'Acme\xc2\xa0Bank' --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: another brand's name in capitals" 1 "hallmark-keys: --name: display name is confusable with the name of brand acme-bank (\"Acme Bank\"): both have the UTS #39 skeleton \"acrne bank\" (case aside)" \
    brand add globex --name "ACME BANK" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: another brand's exact name" 1 "hallmark-keys: --name: display name is confusable with the name of brand acme-bank (\"Acme Bank\"): both have the UTS #39 skeleton \"acrne bank\" (case aside)" \
    brand add globex --name "Acme Bank" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: whole-script confusable (Cyrillic аре)" 1 "hallmark-keys: --name: display name is a whole-script confusable: its Cyrillic letters read as the Latin \"ape\" (UTS #39 skeleton); after review, onboard it with --allow-confusable --reason TEXT" \
    brand add globex --name $'\xd0\xb0\xd1\x80\xd0\xb5' --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: whole-script confusable (Cyrillic capitals АСМЕ)" 1 "hallmark-keys: --name: display name is a whole-script confusable: its Cyrillic letters read as the Latin \"acrne\" (UTS #39 skeleton); after review, onboard it with --allow-confusable --reason TEXT" \
    brand add globex --name $'\xd0\x90\xd0\xa1\xd0\x9c\xd0\x95' --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: --allow-confusable without a reason" 2 "hallmark-keys: --allow-confusable needs --reason TEXT (it is recorded in the audit log)" \
    brand add globex --name $'\xd0\xb0\xd1\x80\xd0\xb5' --allow-confusable --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
expect_ok "name: Latin Ape" brand add ape-co --verified-domain ape-co.example --name "Ape" --logo "$(logo_for ape-co)" --color "#003399" --sender sms:APECO@+44
exact "name: Cyrillic аре beside the Latin Ape" 1 "hallmark-keys: --name: display name is confusable with the name of brand ape-co (\"Ape\"): both have the UTS #39 skeleton \"ape\" (case aside)" \
    brand add globex --name $'\xd0\xb0\xd1\x80\xd0\xb5' --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: a collision is not overridable" 1 "hallmark-keys: --name: display name is confusable with the name of brand ape-co (\"Ape\"): both have the UTS #39 skeleton \"ape\" (case aside)" \
    brand add globex --name $'\xd0\xb0\xd1\x80\xd0\xb5' --allow-confusable --reason "reviewed" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: update into another brand's name" 1 "hallmark-keys: --name: display name is confusable with the name of brand acme-bank (\"Acme Bank\"): both have the UTS #39 skeleton \"acrne bank\" (case aside)" \
    brand update ape-co --name "acme bank"
expect_ok "name: update a brand's own name in another case" brand update ape-co --name "APE"
expect_ok "name: whole-script confusable after review" brand add tor-cyr --verified-domain tor-cyr.example --name $'\xd0\xa2\xd0\x9e\xd0\xa0' \
    --allow-confusable --reason "reviewed: Cyrillic trademark TOR" --logo "$(logo_for tor-cyr)" --color "#003399" --sender sms:TORCYR@+44
tail -n 1 "$ks/audit.log" | grep -qF '"verb":"brand add","brand":"tor-cyr"' &&
    tail -n 1 "$ks/audit.log" | grep -qF '"confusable_allowed":"reviewed: Cyrillic trademark TOR"' && ok ||
    bad "the confusable override is not in the audit log: $(tail -n 1 "$ks/audit.log")"
expect_ok "name: Сбербанк" brand add sber --verified-domain sber.example --name $'\xd0\xa1\xd0\xb1\xd0\xb5\xd1\x80\xd0\xb1\xd0\xb0\xd0\xbd\xd0\xba' --logo "$(logo_for sber)" --color "#003399" --sender sms:SBER@+44
expect_ok "name: Ελληνική Τράπεζα" brand add greek-bank --verified-domain greek-bank.example --name 'Ελληνική Τράπεζα' --logo "$(logo_for greek-bank)" --color "#003399" --sender sms:GREEKBANK@+44
expect_ok "name: みずほ銀行" brand add mizuho --verified-domain mizuho.example --name 'みずほ銀行' --logo "$(logo_for mizuho)" --color "#003399" --sender sms:MIZUHO@+44
expect_ok "name: Café Zürich" brand add cafe-zurich --verified-domain cafe-zurich.example --name 'Café Zürich' --logo "$(logo_for cafe-zurich)" --color "#003399" --sender sms:CAFEZ@+44
expect_ok "name: AT&T" brand add att --verified-domain att.example --name 'AT&T' --logo "$(logo_for att)" --color "#003399" --sender sms:ATT@+44
# Issue 13: capitals with an I, and look-alike digits and letters, meet the brand's own name.
expect_ok "name: Contoso Air" brand add contoso-air --verified-domain contoso-air.example --name "Contoso Air" --logo "$(logo_for contoso-air)" --color "#003399" --sender sms:CONTOSO@+44
expect_ok "name: First Bank" brand add first-bank --verified-domain first-bank.example --name "First Bank" --logo "$(logo_for first-bank)" --color "#003399" --sender sms:FIRSTBANK@+44
expect_ok "name: Northwind Bank" brand add northwind --verified-domain northwind.example --name "Northwind Bank" --logo "$(logo_for northwind)" --color "#003399" --sender sms:NORTHWIND@+44
exact "name: CONTOSO AIR beside Contoso Air" 1 "hallmark-keys: --name: display name is confusable with the name of brand contoso-air (\"Contoso Air\"): both have the UTS #39 skeleton \"contoso alr\" (case aside)" \
    brand add globex --name "CONTOSO AIR" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: FIRST BANK beside First Bank" 1 "hallmark-keys: --name: display name is confusable with the name of brand first-bank (\"First Bank\"): both have the UTS #39 skeleton \"flrst bank\" (case aside)" \
    brand add globex --name "FIRST BANK" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
exact "name: NORTHWIND BANK beside Northwind Bank" 1 "hallmark-keys: --name: display name is confusable with the name of brand northwind (\"Northwind Bank\"): both have the UTS #39 skeleton \"northwlnd bank\" (case aside)" \
    brand add globex --name "NORTHWIND BANK" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
unchanged "name: C0NT0S0 A1R (zeros, a one)" 1 "confusable with the name of brand contoso-air" \
    brand add globex --name "C0NT0S0 A1R" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
unchanged "name: Northwlnd Bank (l for i)" 1 "confusable with the name of brand northwind" \
    brand add globex --name "Northwlnd Bank" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
unchanged "name: update into another brand's name in capitals" 1 "confusable with the name of brand first-bank" \
    brand update ape-co --name "FIRST BANK"
# Issue 22 (spec §5.8): a name or logo near another brand's needs an audited second reviewer.
exact "look-alike: Contoso Aid beside Contoso Air" 1 "hallmark-keys: --name: display name \"Contoso Aid\" is near the name of brand contoso-air (\"Contoso Air\"): edit distance 1 on the confusable skeleton (spec HM-CRED-43); a second reviewer who compared both brands may accept it: --second-reviewer NAME --reason TEXT" \
    brand add contoso-aid --verified-domain contoso-aid.example --name "Contoso Aid" --logo "$(logo_for contoso-aid)" --color "#003399" --sender sms:CONTOSOAID@+44
exact "look-alike: Acme Bank Alerts" 1 "hallmark-keys: --name: display name \"Acme Bank Alerts\" is near the name of brand acme-bank (\"Acme Bank\"): contains on the confusable skeleton (spec HM-CRED-43); a second reviewer who compared both brands may accept it: --second-reviewer NAME --reason TEXT" \
    brand add acme-alerts --verified-domain acme-alerts.example --name "Acme Bank Alerts" --logo "$(logo_for acme-alerts)" --color "#0B5FFF" --sender sms:ACMEALERTS@+44
unchanged "look-alike: AcmeBank" 1 "is near the name of brand acme-bank (\"Acme Bank\"): equal on the confusable skeleton" \
    brand add acme-alerts --verified-domain acme-alerts.example --name "AcmeBank" --logo "$(logo_for acme-alerts)" --color "#0B5FFF" --sender sms:ACMEALERTS@+44
exact "look-alike: Acme's logo under another name" 1 "hallmark-keys: $logo_good: logo is near the logo of brand acme-bank: their difference hashes are 0 of 64 bits apart (10 or fewer is near, spec HM-CRED-42); a second reviewer who compared both brands may accept it: --second-reviewer NAME --reason TEXT" \
    brand add umbrella --verified-domain umbrella.example --name "Umbrella Shop" --logo "$logo_good" --color "#003399" --sender sms:UMBRELLA@+44
"$build/tests/hm-demo-logo" "#A4161A" "$work/sample-red.png" sample-co # sample-co's, in red
expect_ok "look-alike: a logo of its own" brand add sample-co --verified-domain sample-co.example --name "Sample Co" --logo "$(logo_for sample-co)" --color "#0B5FFF" --sender sms:SAMPLECO@+44
unchanged "look-alike: the same logo recoloured" 1 "logo is near the logo of brand sample-co" \
    brand add umbrella --verified-domain umbrella.example --name "Umbrella Shop" --logo "$work/sample-red.png" --color "#A4161A" --sender sms:UMBRELLA@+44
unchanged "look-alike: update into another brand's logo" 1 "logo is near the logo of brand acme-bank" \
    brand update sample-co --logo "$logo_good"
unchanged "second reviewer without a reason" 2 "--second-reviewer needs a NAME" \
    brand add acme-alerts --verified-domain acme-alerts.example --name "Acme Bank Alerts" --logo "$logo_good" --color "#0B5FFF" --sender sms:ACMEALERTS@+44 --second-reviewer "Jane Roe"
unchanged "second reviewer is the operator" 1 "--second-reviewer tests is the operator of this command" \
    brand add acme-alerts --verified-domain acme-alerts.example --name "Acme Bank Alerts" --logo "$logo_good" --color "#0B5FFF" --sender sms:ACMEALERTS@+44 --second-reviewer tests --reason "checked"
expect_ok "look-alike: accepted after a second review" brand add acme-alerts --verified-domain acme-alerts.example \
    --name "Acme Bank Alerts" --logo "$logo_good" --color "#0B5FFF" --sender sms:ACMEALERTS@+44 \
    --second-reviewer "Jane Roe" --reason "Acme Bank's own alerts brand; contract 2026-118"
tail -n 1 "$ks/audit.log" | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert e["verb"] == "brand add" and e["brand"] == "acme-alerts", e
assert e["second_reviewer"] == "Jane Roe" and e["who"] == "tests", e
assert e["reason"] == "Acme Bank'"'"'s own alerts brand; contract 2026-118", e
assert {"brand": "acme-bank", "what": "name", "how": "contains", "distance": 0} in e["near_match"], e
assert {"brand": "acme-bank", "what": "logo", "distance": 0} in e["near_match"], e
' && ok || bad "the second review is not in the audit log: $(tail -n 1 "$ks/audit.log")"
expect_ok "look-alike: Contoso Aid after a second review" brand add contoso-aid --verified-domain contoso-aid.example \
    --name "Contoso Aid" --logo "$(logo_for contoso-aid)" --color "#003399" --sender sms:CONTOSOAID@+44 \
    --second-reviewer "Jane Roe" --reason "a different airline support firm"
expect_ok "look-alike: a name apart needs no review" brand add globex --verified-domain globex.example --name "Globex" --logo "$(logo_for globex)" --color "#003399" --sender sms:GLOBEX@+44
tail -n 1 "$ks/audit.log" | grep -qF '"second_reviewer"' && bad "a brand with nothing near recorded a second reviewer" || ok
[ "$(grep -cF '"confusable_allowed"' "$ks/audit.log")" -eq 1 ] && ok || bad "only the reviewed name may carry confusable_allowed"

# ---- key rules -----------------------------------------------------------------------------------
unchanged "promote with --force but no reason" 2 "--force needs --reason" key promote "$k1" --force
unchanged "retire a pending key twice? first destroy an active one" 1 "only a revoked key" key destroy "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print([k["kid"] for k in s["brands"][0]["keys"]][0])' "$ks/keystore.json")" || true

# ---- the lock ------------------------------------------------------------------------------------
if command -v flock >/dev/null; then
    flock "$ks/lock" sleep 3 &
    sleep 0.5
    unchanged "keystore in use" 2 "another hallmark-keys command is using this keystore" status
    wait
fi

# ---- a tampered audit log ------------------------------------------------------------------------
cp "$ks/audit.log" "$work/audit.good"
python3 - "$ks/audit.log" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
lines[1] = lines[1].replace('"verb":"brand add"', '"verb":"brand fix"')
open(sys.argv[1], "w").write("\n".join(lines))
PY
unchanged "audit verify: entry 2 altered" 1 "hash chain breaks at entry 3: it, or the entry before it, was altered" audit verify
unchanged "any command on a tampered log" 1 "hash chain breaks at entry 3" status
python3 - "$work/audit.good" "$ks/audit.log" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
lines[-2] = lines[-2].replace('"who":"tests"', '"who":"mallory"')
open(sys.argv[2], "w").write("\n".join(lines))
PY
unchanged "audit verify: last entry altered" 1 "were removed or replaced" audit verify
head -n -2 "$work/audit.good" >"$ks/audit.log"
unchanged "audit verify: last two entries removed" 1 "were removed or replaced" audit verify
unchanged "any command on a shortened log" 1 "entries were removed or replaced" key add acme-bank
# The last entry alone is also in the state file (its commit record), so its removal is repaired,
# as after a crash between the state write and the log append, and said.
head -n -1 "$work/audit.good" >"$ks/audit.log"
expect_ok "last entry removed: audit verify says the commit record holds it" audit verify
grep -q "the next command appends it" "$work/out" && ok || bad "audit verify: $(cat "$work/out")"
expect_ok "last entry removed: restored from the state's commit record" status
grep -q "completed the audit entry" "$work/err" && cmp -s "$ks/audit.log" "$work/audit.good" && ok || bad "last entry not restored"
cp "$work/audit.good" "$ks/audit.log"
expect_ok "audit verify after restoring" audit verify
printf '{"v":1,' >"$ks/keystore.json.bad"
cp "$ks/keystore.json" "$work/state.good"
cp "$ks/keystore.json.bad" "$ks/keystore.json"
unchanged "truncated state file" 1 "not a valid keystore state file" status
cp "$work/state.good" "$ks/keystore.json"
expect_ok "status after restoring" status
# ---- keystore.json edited outside hallmark-keys (the state MAC) -----------------------------------
edited="hallmark-keys: $ks/keystore.json was changed outside hallmark-keys (its MAC does not match); nothing was done. Restore it from a backup, or check it against the audit log and accept it with hallmark-keys audit seal --reason TEXT"
no_mac="hallmark-keys: $ks/keystore.json has no state MAC: it was written before hallmark-keys authenticated its state, or edited outside hallmark-keys; nothing was done. Check it against the audit log (and a backup), then accept it with hallmark-keys audit seal --reason TEXT"
expect_ok "publish before the edits" publish
cp "$ks/keystore.json" "$work/state.good"
cp "$ks/published/bundle.jws" "$work/bundle.before"
grep -q '"mac": "' "$ks/keystore.json" && ok || bad "keystore.json carries no MAC"
sed -i 's/"acme.example"/"acme.example", "evil.example"/' "$ks/keystore.json"
grep -q '"evil.example"' "$ks/keystore.json" && ok || bad "the sed edit did not apply"
exact "publish after a link domain was added by hand" 1 "$edited" publish
cmp -s "$ks/published/bundle.jws" "$work/bundle.before" && ok || bad "the bundle changed after a refused publish"
exact "key add after a hand edit" 1 "$edited" key add acme-bank
exact "brand update after a hand edit" 1 "$edited" brand update acme-bank --color "#003399"
exact "audit verify after a hand edit" 1 "$edited" audit verify
expect_ok "status still reads an edited state (it holds no passphrase)" status
cp "$work/state.good" "$ks/keystore.json"
sed -i '0,/"state": "pending"/s//"state": "active"/' "$ks/keystore.json"
exact "publish after a key state was changed by hand" 1 "$edited" publish
# An insider without the passphrase who rewrites the log too: a forged entry chained onto the
# real head, and the state's audit record moved to it. The chain is whole; the MAC is not.
cp "$work/state.good" "$ks/keystore.json"
cp "$ks/audit.log" "$work/audit.before-forgery"
python3 - "$ks" <<'PY'
import base64, hashlib, json, sys
d = sys.argv[1]
s = json.load(open(d + "/keystore.json"))
log = open(d + "/audit.log", "rb").read()
b64 = lambda b: base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
last = log.rstrip(b"\n").split(b"\n")[-1]
seq = s["audit"]["seq"] + 1
line = json.dumps({"seq": seq, "time": 1795000000, "prev": b64(last), "verb": "brand update",
                   "brand": "acme-bank", "who": "tests"}, separators=(",", ":")).encode()
open(d + "/audit.log", "wb").write(log + line + b"\n")
s["audit"] = {"seq": seq, "head": b64(line)}
s.pop("audit_pending", None)
for b in s["brands"]:
    if b["id"] == "acme-bank":
        b["link_domains"].append("evil.example")
open(d + "/keystore.json", "w").write(json.dumps(s, indent=1))
PY
exact "publish after the state and the log were both rewritten" 1 "$edited" publish
cmp -s "$ks/published/bundle.jws" "$work/bundle.before" && ok || bad "the bundle changed after a refused publish"
exact "audit verify: chain intact, state forged" 1 "$edited" audit verify
# Recovery: restore the state (and the log) from the copies; everything works again.
cp "$work/state.good" "$ks/keystore.json"
cp "$work/audit.before-forgery" "$ks/audit.log"
expect_ok "publish after restoring keystore.json" publish
# Recovery by review: an accepted edit is sealed, with its reason, and commands work again.
sed -i 's/"acme.example"/"acme.example", "acme-pay.example"/' "$ks/keystore.json"
exact "audit seal without a reason" 2 "hallmark-keys: audit seal needs --reason TEXT (it is recorded in the audit log)" audit seal
chmod 600 "$work/wrong"
HALLMARK_PASSPHRASE_FILE=$work/wrong hk audit seal --reason "reviewed"
[ "$status" -eq 1 ] && grep -q "wrong passphrase" "$work/err" && ok || bad "audit seal must need the passphrase: $status $(cat "$work/err")"
expect_ok "audit seal with a reason" audit seal --reason "ticket 42: domain added by the onboarding team"
tail -n 1 "$ks/audit.log" | grep -q '"verb":"audit seal","reason":"ticket 42: domain added by the onboarding team","state":"[A-Za-z0-9_-]\{43\}","found":"a MAC that did not match"' &&
    ok || bad "audit seal entry: $(tail -n 1 "$ks/audit.log")"
exact "audit seal of an intact state" 2 "hallmark-keys: $ks/keystore.json: its MAC is intact; nothing to seal" audit seal --reason again
expect_ok "publish after the seal" publish
expect_ok "audit verify after the seal" audit verify
# A keystore written before the state MAC (no "mac" member): refused until sealed, never
# upgraded silently (removing the member must not be a way to get an edit accepted).
python3 - "$ks/keystore.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
del s["mac"]
open(sys.argv[1], "w").write(json.dumps(s, indent=1))
PY
exact "publish on a keystore without a state MAC" 1 "$no_mac" publish
expect_ok "audit seal of a keystore without a state MAC" audit seal --reason "upgrade: keystore from before the state MAC"
tail -n 1 "$ks/audit.log" | grep -q '"found":"no MAC"' && ok || bad "seal entry: $(tail -n 1 "$ks/audit.log")"
expect_ok "publish after sealing the old keystore" publish

# ---- the shortest new passphrase (HM_PASSPHRASE_MIN_NEW: 12 bytes) ------------------------------
printf '01234567890\n' >"$work/short.pass"
printf '012345678901\n' >"$work/twelve.pass"
chmod 600 "$work/short.pass" "$work/twelve.pass"
HALLMARK_KEYSTORE=$work/short expect_fail "init with an 11-character passphrase" 1 \
    "hallmark-keys: a new keystore's passphrase needs at least 12 characters" \
    init --platform P --kdf minimum --passphrase-file "$work/short.pass"
[ ! -e "$work/short/keystore.json" ] && ok || bad "init with a short passphrase created a keystore"
HALLMARK_KEYSTORE=$work/twelve expect_ok "init with a 12-character passphrase" \
    init --platform P --kdf minimum --passphrase-file "$work/twelve.pass"
# ---- the default KDF ----------------------------------------------------------------------------
# Every other test uses --kdf minimum; this one init runs with the production default (Argon2id,
# 256 MiB), bare: under memcheck it would take minutes.
if HALLMARK_KEYSTORE=$work/moderate "$keys_cli" init --platform P >/dev/null 2>"$work/err" &&
    python3 - "$work/moderate" <<'PY'; then ok; else bad "default KDF init: $(cat "$work/err")"; fi
import glob, json, sys
d = sys.argv[1]
assert json.load(open(d + "/keystore.json"))["settings"]["kdf"] == "moderate"
files = glob.glob(d + "/secret/*.key")
assert len(files) == 2
for f in files:
    k = json.load(open(f))["kdf"]
    assert k["opslimit"] == 3 and k["memlimit"] == 268435456, k
PY
echo "keys-errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
