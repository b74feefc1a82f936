#!/usr/bin/env bash
# Makes a throw-away test PKI in the folder given as the only argument (created if missing):
#   ca.pem / ca.key                  test root CA (RSA-2048, 2019 to 2039)
#   signer-rsa.pem / .key            RSA-2048 signer issued by the CA (2 years)
#   signer-rsa.p12                   the same key, certificate and CA in PKCS#12,
#                                    password in p12.password
#   signer-rsa-enc.key               the same key as encrypted PKCS#8 PEM, password in p12.password
#   signer-ec.pem / .key             ECDSA P-256 signer issued by the CA (2 years)
#   intruder.pem / .key              self-signed RSA-2048 with the RSA signer's subject name
#   expired.pem / .key               RSA-2048 issued by the CA, valid 2020-01-01 .. 2021-01-01
#   soon.pem / .key                  RSA-2048 issued by the CA, expires in 10 days
#   weak-rsa.pem / .key              RSA-1024 issued by the CA (refused by the key policy)
# Nothing here is secret: the keys exist for tests only and are never committed.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 OUTPUT_DIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
cd "$out"
export OPENSSL_CONF=/dev/null  # no system configuration influences the test certificates

mkdir -p ca-db
: > ca-db/index.txt
echo 1000 > ca-db/serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
dir = ./ca-db
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
organizationName = optional
countryName = optional
[signer_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[req]
distinguished_name = dn
[dn]
CNF

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1" 2>/dev/null; }
ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# issue NAME SUBJECT CA-ARGS...: a certificate for NAME.key signed by the CA
issue() {
  local name=$1 subject=$2
  shift 2
  openssl req -config ca.cnf -new -key "$name.key" -subj "$subject" -out "$name.csr"
  openssl ca -config ca.cnf -batch -notext -extensions signer_ext -in "$name.csr" -out "$name.pem" \
    "$@" 2>/dev/null
  rm -f "$name.csr"
}

# The CA is valid from 2019 so that signatures made while the expired certificate was valid
# (XAdES SigningTime in 2020) can be checked at their signing time.
rsa_key ca.key
openssl req -config ca.cnf -new -key ca.key -subj "/O=eigw test/CN=eigw Test Root CA" -out ca.csr
openssl ca -config ca.cnf -batch -notext -selfsign -keyfile ca.key -extensions ca_ext -in ca.csr -out ca.pem \
  -startdate 20190101000000Z -enddate 20391231000000Z 2>/dev/null
rm -f ca.csr

rsa_key signer-rsa.key
issue signer-rsa "/C=EE/O=eigw test/CN=Test Signer RSA" -days 730
ec_key signer-ec.key
issue signer-ec "/C=EE/O=eigw test/CN=Test Signer ECDSA" -days 730
rsa_key expired.key
issue expired "/C=EE/O=eigw test/CN=Test Signer Expired" -startdate 20200101000000Z -enddate 20210101000000Z
rsa_key soon.key
issue soon "/C=EE/O=eigw test/CN=Test Signer Expiring Soon" -days 10
rsa_key weak-rsa.key 1024
issue weak-rsa "/C=EE/O=eigw test/CN=Test Signer Weak RSA" -days 730

# The intruder has the RSA signer's name but no issuer the verifier trusts.
rsa_key intruder.key
openssl req -config ca.cnf -x509 -new -key intruder.key -sha256 -days 730 \
  -subj "/C=EE/O=eigw test/CN=Test Signer RSA" -out intruder.pem

echo "test-password" > p12.password
openssl pkcs12 -export -inkey signer-rsa.key -in signer-rsa.pem -certfile ca.pem -name "Test Signer RSA" \
  -passout file:p12.password -out signer-rsa.p12
openssl pkcs8 -topk8 -in signer-rsa.key -v2 aes-256-cbc -passout file:p12.password -out signer-rsa-enc.key
rm -rf ca-db ca.cnf
