// Independent XAdES implementation for the interop test (xadesjs on Node's WebCrypto).
// Run by xades_interop_check.py with NODE_PATH pointing at the npm-installed packages.
//
//   node xades_interop.js verify SIGNED.xml SIGNER.pem [epes]
//     Verifies every ds:Signature of SIGNED.xml with xadesjs: references (the document and
//     SignedProperties) and SignatureValue, once with the key xadesjs takes from ds:KeyInfo and
//     once with the key of SIGNER.pem; checks that SignedProperties is covered by a Reference of
//     the SignedProperties type, that SigningCertificate(V2)/Cert/CertDigest matches SIGNER.pem,
//     that ds:KeyInfo carries SIGNER.pem, and with `epes` that SignaturePolicyIdentifier has an
//     identifier and a hash. Prints one JSON line; exit 0 when every check passed.
//
//   node xades_interop.js sign IN.xml OUT.xml SIGNER.key SIGNER.pem [v1|v2]
//     Signs the UBL document IN.xml with XAdES-BES: enveloped Reference URI="" (enveloped-signature
//     + exclusive c14n, SHA-256), exclusive c14n of SignedInfo, RSA-SHA256 or ECDSA-SHA256 by key
//     type, ds:KeyInfo/X509Data with the certificate, SignedProperties with SigningTime and
//     SigningCertificate (v1) or SigningCertificateV2 (v2), covered by a Reference with exclusive
//     c14n. The signature is placed in the UBL signature extension.
'use strict';

const fs = require('fs');
const nodeCrypto = require('crypto');
const xmldom = require('@xmldom/xmldom');
const xpath = require('xpath');
const xadesjs = require('xadesjs');
const xmldsigjs = require('xmldsigjs');

xadesjs.setNodeDependencies({
  XMLSerializer: xmldom.XMLSerializer,
  DOMParser: xmldom.DOMParser,
  DOMImplementation: xmldom.DOMImplementation,
  xpath,
});
xadesjs.Application.setEngine('NodeJS', nodeCrypto.webcrypto);
const subtle = nodeCrypto.webcrypto.subtle;

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const EXT = 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2';
const SIG = 'urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2';
const SAC = 'urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const SIGNED_PROPS_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
const DIGESTS = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

function readCert(pemFile) {
  const x509 = new nodeCrypto.X509Certificate(fs.readFileSync(pemFile));
  return { x509, der: x509.raw, b64: x509.raw.toString('base64') };
}

// WebCrypto algorithm for the signer's key type.
function webAlgorithm(keyObject) {
  if (keyObject.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (keyObject.asymmetricKeyType === 'ec') return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  throw new Error(`unsupported key type ${keyObject.asymmetricKeyType}`);
}

function childElements(node, ns, local) {
  const out = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && c.namespaceURI === ns && c.localName === local) out.push(c);
  }
  return out;
}

async function verify(file, certFile, epes) {
  const cert = readCert(certFile);
  const text = fs.readFileSync(file, 'utf8');
  const doc = xadesjs.Parse(text);
  const sigs = Array.from(doc.getElementsByTagNameNS(DS, 'Signature'));
  const result = { file, signatures: sigs.length, checks: {}, errors: [] };
  const check = (name, ok, detail) => {
    result.checks[name] = !!ok;
    if (!ok) result.errors.push(detail ? `${name}: ${detail}` : name);
  };
  check('one-signature', sigs.length === 1, `${sigs.length} ds:Signature elements`);
  if (sigs.length !== 1) return result;
  const sig = sigs[0];

  // xmldsigjs 2.8.8's enveloped-signature transform removes only ds:Signature children of the
  // root element (XmlDsigEnvelopedSignatureTransform.GetOutput walks root.firstChild siblings),
  // so a signature in the UBL extension is left in the digested content. When the signature is
  // not a child of the root, the content of Reference URI="" is handed to xadesjs with this
  // signature (and only it) removed -- what the transform must do; canonicalisation, digests and
  // the signature check stay with xadesjs.
  const sigId = sig.getAttribute('Id');
  const nested = sig.parentNode !== doc.documentElement;
  result.envelopedWorkaround = nested;
  const contentHandler = async (ref) => {
    if (!nested || ref.Uri !== '') return null;
    const copy = xadesjs.Parse(text);
    const mine = Array.from(copy.getElementsByTagNameNS(DS, 'Signature')).filter((s) => s.getAttribute('Id') === sigId);
    if (mine.length !== 1) throw new Error(`signature Id ${sigId} is not unique`);
    mine[0].parentNode.removeChild(mine[0]);
    return copy;
  };
  const load = () => {
    const signed = new xadesjs.SignedXml(doc);
    signed.LoadXml(sig);
    signed.contentHandler = contentHandler;
    return signed;
  };

  // 1. xadesjs's own verification (key from ds:KeyInfo).
  try {
    check('xadesjs-verify-keyinfo', await load().Verify(), 'references or SignatureValue do not verify');
  } catch (e) {
    check('xadesjs-verify-keyinfo', false, String(e && e.message || e));
  }
  // 2. The same with the public key of the expected signer certificate.
  try {
    const signed = load();
    const keyObject = cert.x509.publicKey;
    const alg = webAlgorithm(keyObject);
    // Verify(key) re-imports the key with the algorithm of SignatureMethod, which for ECDSA
    // lacks the curve.
    if (alg.namedCurve) signed.Algorithm = { ...signed.Algorithm, namedCurve: alg.namedCurve };
    const spki = keyObject.export({ type: 'spki', format: 'der' });
    const key = await subtle.importKey('spki', spki, alg, true, ['verify']);
    check('xadesjs-verify-signer-key', await signed.Verify(key), 'does not verify with the signer certificate key');
  } catch (e) {
    check('xadesjs-verify-signer-key', false, String(e && e.message || e));
  }

  // 3. Structure: SignedProperties covered by a Reference of the SignedProperties type; one
  //    Reference covers the whole document with the enveloped-signature transform.
  const signedInfo = childElements(sig, DS, 'SignedInfo')[0];
  const refs = signedInfo ? childElements(signedInfo, DS, 'Reference') : [];
  const sps = Array.from(sig.getElementsByTagNameNS(XADES, 'SignedProperties'));
  const spId = sps.length === 1 ? sps[0].getAttribute('Id') : null;
  check('signed-properties-covered',
        spId && refs.some((r) => r.getAttribute('Type') === SIGNED_PROPS_TYPE && r.getAttribute('URI') === `#${spId}`),
        `SignedProperties Id=${spId}, references ${refs.map((r) => r.getAttribute('URI')).join(',')}`);
  check('document-covered', refs.some((r) => r.getAttribute('URI') === '' &&
        Array.from(r.getElementsByTagNameNS(DS, 'Transform'))
          .some((t) => t.getAttribute('Algorithm') === `${DS}enveloped-signature`)), 'no enveloped Reference URI=""');
  const qp = sig.getElementsByTagNameNS(XADES, 'QualifyingProperties')[0];
  check('qualifying-properties-target', qp && qp.getAttribute('Target') === `#${sig.getAttribute('Id')}`,
        qp ? `Target=${qp.getAttribute('Target')} signature Id=${sig.getAttribute('Id')}` : 'missing');
  const st = sig.getElementsByTagNameNS(XADES, 'SigningTime')[0];
  check('signing-time', st && !isNaN(Date.parse(st.textContent.trim())), st ? st.textContent : 'missing');

  // 4. SigningCertificate(V2)/Cert/CertDigest matches the signer certificate.
  const digests = [];
  for (const local of ['SigningCertificate', 'SigningCertificateV2']) {
    for (const sc of Array.from(sig.getElementsByTagNameNS(XADES, local))) {
      for (const cd of Array.from(sc.getElementsByTagNameNS(XADES, 'CertDigest'))) {
        const dm = cd.getElementsByTagNameNS(DS, 'DigestMethod')[0];
        const dv = cd.getElementsByTagNameNS(DS, 'DigestValue')[0];
        const alg = dm && DIGESTS[dm.getAttribute('Algorithm')];
        if (!alg || !dv) continue;
        digests.push(Buffer.from(dv.textContent.replace(/\s+/g, ''), 'base64')
          .equals(nodeCrypto.createHash(alg).update(cert.der).digest()));
      }
    }
  }
  check('signing-certificate-digest', digests.some((d) => d),
        `${digests.length} SHA-2 CertDigest(s), none matches the signer certificate`);
  const keyInfoCerts = Array.from(sig.getElementsByTagNameNS(DS, 'X509Certificate'))
    .map((c) => c.textContent.replace(/\s+/g, ''));
  check('keyinfo-certificate', keyInfoCerts.includes(cert.b64), 'signer certificate not in ds:KeyInfo');

  // 5. SigningCertificate/Cert/IssuerSerial (V1 only): the serial number and the issuer name
  //    (RFC 4514 order, most specific RDN first) of the signer certificate.
  const issuerSerial = sig.getElementsByTagNameNS(XADES, 'IssuerSerial')[0];
  if (issuerSerial) {
    const name = issuerSerial.getElementsByTagNameNS(DS, 'X509IssuerName')[0];
    const serial = issuerSerial.getElementsByTagNameNS(DS, 'X509SerialNumber')[0];
    const rfc4514 = cert.x509.issuer.split('\n').reverse().join(',');
    const given = name ? name.textContent.trim().split(/\s*,\s*/).join(',') : '';
    check('issuer-serial', serial && BigInt(serial.textContent.trim()) === BigInt(`0x${cert.x509.serialNumber}`) &&
          given === rfc4514, `X509IssuerName "${given}" (want "${rfc4514}"), serial ${serial && serial.textContent}`);
  }
  // xadesjs's own SigningCertificate check compares X509IssuerName as a string with its own
  // rendering ("CN=..., O=...", RDNs in certificate order, not RFC 4514), so it refuses a correct
  // RFC 4514 name whenever the issuer has more than one RDN: reported, not counted.
  try {
    const signed = load();
    result.xadesjsSigningCertificate = !!(await signed.VerifySigningCertificate());
  } catch (e) {
    result.xadesjsSigningCertificate = String(e && e.message || e);
  }

  if (epes) {
    const pol = sig.getElementsByTagNameNS(XADES, 'SignaturePolicyId')[0];
    const ident = pol && pol.getElementsByTagNameNS(XADES, 'Identifier')[0];
    const hash = pol && pol.getElementsByTagNameNS(XADES, 'SigPolicyHash')[0];
    check('epes-policy', ident && ident.textContent.trim() && hash &&
          hash.getElementsByTagNameNS(DS, 'DigestValue')[0], 'SignaturePolicyId without identifier or hash');
  }
  return result;
}

// The ext:UBLExtensions/.../sac:SignatureInformation element the signature goes into (made as
// the first child of the root, or a new ext:UBLExtension in an existing ext:UBLExtensions).
function ublSignatureParent(doc) {
  const root = doc.documentElement;
  let exts = childElements(root, EXT, 'UBLExtensions')[0];
  if (!exts) {
    exts = doc.createElementNS(EXT, 'ext:UBLExtensions');
    let first = root.firstChild;
    while (first && first.nodeType !== 1) first = first.nextSibling;
    root.insertBefore(exts, first);
  }
  const ext = exts.appendChild(doc.createElementNS(EXT, 'ext:UBLExtension'));
  const content = ext.appendChild(doc.createElementNS(EXT, 'ext:ExtensionContent'));
  const sigs = content.appendChild(doc.createElementNS(SIG, 'sig:UBLDocumentSignatures'));
  return sigs.appendChild(doc.createElementNS(SAC, 'sac:SignatureInformation'));
}

async function sign(inFile, outFile, keyFile, certFile, certVersion) {
  const cert = readCert(certFile);
  const keyObject = nodeCrypto.createPrivateKey(fs.readFileSync(keyFile));
  const alg = webAlgorithm(keyObject);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const key = await subtle.importKey('pkcs8', pkcs8, alg, false, ['sign']);

  const doc = xadesjs.Parse(fs.readFileSync(inFile, 'utf8'));
  const parent = ublSignatureParent(doc);

  const signed = new xadesjs.SignedXml();
  signed.XmlSignature.SignedInfo.CanonicalizationMethod.Algorithm = EXC_C14N;
  // xadesjs adds the SignedProperties Reference without transforms (inclusive c14n of the node
  // set, which depends on the namespaces in scope where the signature ends up); give it
  // exclusive c14n so that its digest does not depend on the placement in the UBL extension.
  const applySignOptions = signed.ApplySignOptions.bind(signed);
  signed.ApplySignOptions = async (signature, algorithm, k, options) => {
    await applySignOptions(signature, algorithm, k, options);
    signature.SignedInfo.References.ForEach((ref) => {
      if (ref.Type === SIGNED_PROPS_TYPE) {
        const transforms = new xmldsigjs.Transforms();
        transforms.Add(new xmldsigjs.XmlDsigExcC14NTransform());
        ref.Transforms = transforms;
      }
    });
  };
  const options = {
    references: [{ uri: '', hash: 'SHA-256', transforms: ['enveloped', 'exc-c14n'] }],
    x509: [cert.b64],
    signingTime: { value: new Date() },
  };
  if (certVersion === 'v2') options.signingCertificateV2 = cert.b64;
  else options.signingCertificate = cert.b64;
  await signed.Sign(alg, key, doc, options);

  parent.appendChild(doc.importNode(signed.XmlSignature.GetXml(), true));
  fs.writeFileSync(outFile, new xmldom.XMLSerializer().serializeToString(doc));
  return { file: outFile, signed: true, key: keyObject.asymmetricKeyType, certVersion: certVersion || 'v1' };
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  let result;
  if (cmd === 'verify' && args.length >= 2) {
    result = await verify(args[0], args[1], args[2] === 'epes');
    result.ok = result.errors.length === 0;
  } else if (cmd === 'sign' && args.length >= 4) {
    result = await sign(args[0], args[1], args[2], args[3], args[4]);
    result.ok = true;
  } else {
    console.error('usage: xades_interop.js verify SIGNED.xml SIGNER.pem [epes] | sign IN OUT KEY CERT [v1|v2]');
    process.exit(2);
  }
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}

main().catch((e) => {
  console.log(JSON.stringify({ ok: false, errors: [String(e && e.stack || e)] }));
  process.exit(1);
});
