#!/usr/bin/env python3
"""The bench workload, in one place: the brands of the bench keystore and the message mix.

workload.py brands        one line per brand, tab-separated: ID, NAME, COLOR, brand add options
workload.py messages N [CUSTOMERS]
                          N sign requests as NDJSON (deterministic: the same arguments give the
                          same file). With CUSTOMERS, every message goes to one of that many
                          customers (each with one number, one address and one device), SMS from
                          the brand's alphanumeric sender: a platform's repeat customers, whose
                          recipient stems (spec HM-TOKEN-55) the signer and the app remember.
                          Without it, nearly every message has a recipient of its own.
workload.py batches FILE SIZE   the requests of FILE grouped into {"messages":[...]} lines of SIZE

The mix: four brands, five channels, bodies of 40 to 600 bytes (OTPs, receipts, alerts, marketing,
support chat; some non-ASCII), about a quarter with signed action buttons, some with a
conversation id or a human or AI sender.
"""
import json
import random
import sys

BRANDS = [
    {"id": "acme-bank", "name": "Acme Bank", "color": "#0B5FFF", "domain": "acme.example",
     "alnum": "ACMEBANK", "rcs": "acme_bank_agent@rbm.goog", "push": "com.acme.bank",
     "wa": "+447700900500", "prefix": "+447700910"},
    {"id": "globex", "name": "Globex Air", "color": "#003399", "domain": "globex.example",
     "alnum": "GLOBEX", "rcs": "globex_air@rbm.goog", "push": "com.globex.air",
     "wa": "+447700900501", "prefix": "+447700911"},
    {"id": "initech-health", "name": "Initech Health", "color": "#006E3C",
     "domain": "initech.example", "alnum": "INITECH", "rcs": "initech_clinic@rbm.goog",
     "push": "com.initech.health", "wa": "+447700900502", "prefix": "+447700912"},
    {"id": "umbrella-shop", "name": "Umbrella Shop", "color": "#A4161A",
     "domain": "umbrella.example", "alnum": "UMBRELLA", "rcs": "umbrella_shop@rbm.goog",
     "push": "com.umbrella.shop", "wa": "+447700900503", "prefix": "+447700913"},
]

TEXTS = {
    "otp": ["{b}: your code is {n6}. Never share it, not even with us.",
            "{n6} is your {b} verification code. It expires in 10 minutes. If you did not ask for "
            "it, someone may be trying to sign in as you: call us on the number on your card."],
    "transactional": ["Your {b} order {ref} has shipped and will arrive on {day}. Track it in the app.",
                      "Payment of £{amt} to {shop} on {day} was approved. Balance: £{bal}. "
                      "Not you? Freeze your card in the app right away.",
                      "Your {b} statement for {month} is ready: {items} transactions, total £{amt}. "
                      "Pay before {day} to avoid a late fee. Thank you for banking with us — "
                      "we appreciate it. Questions? Reply HELP or visit the help centre."],
    "alert": ["Security alert from {b}: a new device signed in to your account on {day} "
              "from {city}. If this was not you, reset your password now.",
              "Flight {ref} is delayed: new departure {hh}:{mm}, gate {gate}. We are sorry. "
              "Meal vouchers are in the app; rebooking is free today."],
    "marketing": ["{b} spring sale: 20% off everything until {day}. Reply STOP to opt out.",
                  "Hi! {b} here 👋 Members get early access to our winter collection from {day}: "
                  "wool coats, waterproof boots and the umbrella that made us famous ☂. Free "
                  "delivery over £{amt}, free returns for 60 days, and a thank-you gift with every "
                  "order this week. Tap below to see the lookbook, or reply STOP to stop these "
                  "messages. Prices include VAT; offer cannot be combined with other codes."],
    "service": ["Hi, this is {agent} from {b} support. I have looked into case {ref} and the "
                "refund of £{amt} is on its way; it should reach you within 3 working days.",
                "Your appointment at {b} is confirmed for {day} at {hh}:{mm} with Dr {agent}. "
                "Please arrive 10 minutes early and bring your insurance card. To move it, "
                "use the button below or call us; cancellations within 24 hours may be charged. "
                "À bientôt — the {b} team."],
}
CATEGORIES = list(TEXTS)
CHANNELS = ["sms", "sms", "sms", "email", "email", "rcs", "whatsapp", "push"]
CITIES = ["London", "Zürich", "São Paulo", "Kraków", "Dublin", "Lyon"]
AGENTS = ["Sam", "Priya", "Jonas", "Aoife", "Mateo"]


def body(rng, b, cat):
    n = rng.randrange(1000000)
    text = rng.choice(TEXTS[cat]).format(
        b=b["name"], n6=f"{n:06d}", ref=f"{b['alnum'][:2]}{n % 99991}", day=f"{1 + n % 28} March",
        amt=f"{n % 900 + 10}.{n % 100:02d}", bal=f"{n % 9000}.{n % 97:02d}", shop="Corner Café",
        month="February", items=n % 80 + 3, city=rng.choice(CITIES), hh=f"{n % 24:02d}",
        mm=f"{n % 60:02d}", gate=f"B{n % 40}", agent=rng.choice(AGENTS))
    while len(text.encode()) < 40:
        text += " Thank you."
    return text.encode()[:600].decode(errors="ignore")


def route(rng, b, channel, customers):
    n = rng.randrange(10000000)
    if customers:
        c = rng.randrange(customers)
        return {"sms": (b["alnum"], f"+4477009{c:05d}"),
                "email": (b["domain"], f"customer{c}@mail.example"),
                "rcs": (b["rcs"], f"+4477009{c:05d}"),
                "whatsapp": (b["wa"], f"+4477009{c:05d}")}.get(channel,
                                                              (b["push"], f"device-{c:08x}"))
    if channel == "sms":
        # A number range of the brand's own: a sender belongs to one brand (spec §5.6).
        frm = b["alnum"] if n % 3 else f"{b['prefix']}{n % 97:04d}"
        return frm, f"+4477009{n % 100000:05d}"
    if channel == "email":
        return b["domain"], f"customer{n}@mail.example"
    if channel == "rcs":
        return b["rcs"], f"+4477009{n % 100000:05d}"
    if channel == "whatsapp":
        return b["wa"], f"+4477009{n % 100000:05d}"
    return b["push"], f"device-{n:08x}"


def message(rng, customers=0):
    b = rng.choice(BRANDS)
    channel = rng.choice(CHANNELS)
    cat = rng.choice(CATEGORIES)
    frm, to = route(rng, b, channel, customers)
    m = {"brand": b["id"], "channel": channel, "from": frm, "to": to, "body": body(rng, b, cat),
         "category": cat, "sender": {"kind": "automated"}}
    if cat == "service":
        m["sender"] = rng.choice([{"kind": "human", "name": rng.choice(AGENTS)}, {"kind": "ai"}])
        m["conv"] = f"c-{rng.randrange(1 << 32):08x}"
    if rng.random() < 0.25:
        m["actions"] = [{"kind": "link", "label": "Open in the app",
                         "url": f"https://www.{b['domain']}/m/{rng.randrange(1 << 40):x}"}]
        if rng.random() < 0.4:
            m["actions"].append({"kind": "unsubscribe", "label": "Stop these",
                                 "url": f"https://{b['domain']}/unsub?u={rng.randrange(1 << 30)}"})
    return m


def main():
    if sys.argv[1:2] == ["brands"]:
        for b in BRANDS:
            options = ["--sender", "sms:" + b["alnum"] + "@+44", "--sender-prefix", "sms:" + b["prefix"],
                       "--sender", "email:" + b["domain"], "--sender", "rcs:" + b["rcs"],
                       "--sender", "whatsapp:" + b["wa"], "--sender", "push:" + b["push"],
                       "--link-domain", b["domain"], "--link-domain", "www." + b["domain"],
                       "--level", "organization"]
            print("\t".join([b["id"], b["name"], b["color"], " ".join(options)]))
    elif sys.argv[1:2] == ["messages"]:
        rng = random.Random(7)
        out = sys.stdout
        customers = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        for _ in range(int(sys.argv[2])):
            out.write(json.dumps(message(rng, customers), ensure_ascii=False,
                                 separators=(",", ":")) + "\n")
    elif sys.argv[1:2] == ["batches"]:
        size = int(sys.argv[3])
        with open(sys.argv[2], encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f]
        for i in range(0, len(lines) - size + 1, size):
            print('{"messages":[' + ",".join(lines[i:i + size]) + "]}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
