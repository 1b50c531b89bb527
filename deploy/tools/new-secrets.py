#!/usr/bin/env python3
"""Makes up every secret a deployment of the hub needs, at random, and prints them.

  deploy/tools/new-secrets.py >deploy/.env                     # compose reads deploy/.env
  deploy/tools/new-secrets.py --kubernetes | kubectl apply -f -  # the Secret deploy/k8s refers to

Run it once and keep what it printed: the subject key and the token signing key must outlive the hub (a new
subject key cannot find accesses recorded under the old one), and each pair below must agree (the gateway's key for
an agency and that agency's, the land agency's client secret and its hash). deploy/README.md names each one.
"""
import base64
import hashlib
import secrets
import struct
import subprocess
import sys

AGENCIES = ["population", "civil-status", "land", "health-insurance"]


def variable(name):
    return name.upper().replace("-", "_")


def key():
    # Unreserved URL characters only: some of these go into amqp:// and http:// URLs as they are.
    return secrets.token_hex(24)


def base64_key():
    return base64.b64encode(secrets.token_bytes(32)).decode()


def rsa_signing_key():
    """An RSA private key, PKCS#8 DER in base64, as the gateway's Lgsp:Tokens:SigningKey takes it. Python's standard
    library has no RSA, so Debian's openssl makes it (`LgspHub.Gateway.dll new-signing-key` prints one too). Its PEM
    output is PKCS#8 ("BEGIN PRIVATE KEY"); the lines between the armour are that DER in base64."""
    pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()
    if pem[0] != "-----BEGIN PRIVATE KEY-----":
        raise SystemExit("openssl did not print a PKCS#8 key")
    return "".join(pem[1:-1])


def identity_hash(secret):
    """ASP.NET Core Identity's PasswordHasher (version 3: PBKDF2 with HMAC-SHA512, 100,000 iterations, 16-byte salt,
    32-byte subkey), as `LgspHub.Gateway.dll hash-secret` prints it. Written here so that the script needs no .NET;
    tests/LgspHub.Deploy.Tests checks its output with PasswordHasher itself."""
    salt = secrets.token_bytes(16)
    subkey = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, 100_000, 32)
    return base64.b64encode(b"\x01" + struct.pack(">III", 2, 100_000, len(salt)) + salt + subkey).decode()


def generate():
    values = {
        "LGSP_ERLANG_COOKIE": key(),
        "LGSP_TOKEN_SIGNING_KEY": rsa_signing_key(),
        "LGSP_SUBJECT_KEY": base64_key(),
        "LGSP_OPERATOR_KEY": key(),
    }
    for agency in AGENCIES:
        values[f"LGSP_{variable(agency)}_KEY"] = key()
    for user in AGENCIES + ["gateway"]:
        values[f"LGSP_BROKER_{variable(user)}_PASSWORD"] = key()
    values["LGSP_LAND_CLIENT_SECRET"] = key()
    values["LGSP_LAND_CLIENT_SECRET_HASH"] = identity_hash(values["LGSP_LAND_CLIENT_SECRET"])
    return values


def main(arguments):
    values = generate()
    if arguments == ["--kubernetes"]:
        print("# Made by deploy/tools/new-secrets.py: the secrets deploy/k8s refers to. Keep a copy.")
        print("apiVersion: v1\nkind: Secret\nmetadata:\n  name: lgsp-hub-secrets\n  namespace: lgsp\ntype: Opaque\nstringData:")
        for name, value in values.items():
            print(f'  {name}: "{value}"')
    elif not arguments:
        print("# Made by deploy/tools/new-secrets.py: the secrets deploy/compose.yaml requires. Keep a copy.")
        for name, value in values.items():
            print(f"{name}={value}")
    else:
        sys.exit("usage: deploy/tools/new-secrets.py [--kubernetes]")


if __name__ == "__main__":
    main(sys.argv[1:])
