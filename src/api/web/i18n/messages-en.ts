/**
 * The citizen page's English messages (i18next format: `{{name}}` is a parameter, escaped by the
 * renderer, never parsed as HTML). messages-zh-CN.ts holds the same keys; a unit test keeps them so.
 * The CLI and the API stay English and do not use this catalogue.
 */
export const MESSAGES_EN = {
  page: {
    title: 'Check certified record {{id}}',
    brand: 'Chancery · {{origin}}',
    heading: 'Check a certified record',
    certification: 'Certification',
    language: 'Language',
    noscript:
      'This page checks the proof in your browser and needs JavaScript. You can download the proof below and check it with chancery verify instead.',
    footer:
      'Chancery proof page. It loads nothing from any other site and sends nothing about you or your document.',
  },
  summary: {
    loading: 'Checking the proof on this device…',
    loadingDetail: 'Nothing is sent anywhere: your browser checks the signatures and the log itself.',
    loadFailed: 'Could not load the proof',
    noAnswer: 'The node did not answer. Check your connection and reload.',
    waiting: 'Almost there…',
    waitingDetail: 'This record is not yet sealed into the public log. Checking again in {{seconds}} s.',
    notFound: 'No such certification',
    notFoundDetail:
      'This node holds no certification {{id}}. Check the address, or scan the code on the certificate again.',
    answered: 'The node answered {{status}}.',
    nextStep: 'What to do',
  },
  headline: {
    verified: {
      title: 'Verified: authentic, current and final',
      detail:
        '{{issuer}} certified this record. It is in the public log, within its validity period, not suspended or revoked, and the witnesses have confirmed the log.',
      detailNoWitnesses:
        '{{issuer}} certified this record. It is in the public log, within its validity period and not suspended or revoked. No independent witnesses are configured for this node: only the log itself vouches for its state.',
      documentMatches: 'Your file is exactly the certified document.',
      asOf: 'Its status is proven as of {{asOf}}, when the witnesses cosigned.',
      next: 'You can rely on this record. To check a paper or PDF copy, choose or drop the file below.',
    },
    limited: {
      title: 'Authentic, but an older kind of proof',
      detail:
        '{{issuer}} certified this record and it is in the public log. This older proof cannot show whether the record was suspended or revoked since.',
      next: 'Ask the issuing department for a current proof before you rely on it.',
    },
    pending: {
      title: 'Authentic, finality pending',
      detail:
        '{{issuer}} certified this record and it is in the public log, but only {{cosigned}} of {{total}} witnesses have confirmed the log so far (needed: {{rule}}).',
      next: 'This is normal in the first minutes after certification. Check again later; if it stays pending, contact the issuing department.',
    },
    revoked: {
      title: 'Revoked',
      detail: '{{by}} revoked this record on {{date}}. Reason: {{reason}}',
      detailUnknown: 'The issuing department revoked this record (log entry {{entry}}).',
      next: 'Do not accept this record. If you think this is a mistake, contact the issuing department.',
    },
    suspended: {
      title: 'Suspended',
      detail: '{{by}} suspended this record on {{date}}. Reason: {{reason}}',
      detailUnknown: 'The issuing department suspended this record (log entry {{entry}}).',
      next: 'Do not rely on this record for now. A suspension can be lifted: ask the issuing department.',
    },
    expired: {
      title: 'Expired',
      detail: 'This record is authentic, but it was valid only until {{until}}.',
      next: 'Ask the issuing department for a current record.',
    },
    notYetValid: {
      title: 'Not yet valid',
      detail: 'This record is authentic, but it is valid only from {{from}}.',
      next: 'Do not rely on it before that date.',
    },
    stale: {
      title: 'Authentic, current status not confirmed',
      detail:
        'This record is authentic, but its status could not be confirmed as recent enough: it is proven as of {{asOf}}.',
      detailUnknown: 'This record is authentic, but no recent confirmation of its status is available.',
      next: 'Reload this page later. If this persists, contact the issuing department.',
    },
    wrongDocument: {
      title: 'This file is not the certified document',
      detail:
        'The fingerprint of {{name}} differs from the document {{issuer}} certified. The record is genuine; this file is a different or altered one.',
      next: 'Do not accept this file as the certified document. Ask for the original file, or check another copy.',
    },
    doNotTrust: {
      title: 'Do not trust: this proof does not check out',
      detail: 'Failed: {{steps}}. The proof was altered, is incomplete, or comes from another log.',
      next: 'Do not rely on this record. Contact the issuing department through a channel you already know, not one given on this page.',
    },
  },
  steps: {
    heading: 'What was checked',
  },
  step: {
    passed: 'Passed: ',
    failed: 'Failed: ',
    technical: 'Technical detail',
    detail: {
      signedRecord:
        '{{actor}} signed this certification on {{at}}, log entry {{leaf}}, with key {{key}} (registered at log entry {{registered}}, not retired).',
      signedRecordRetired:
        '{{actor}} signed this certification on {{at}}, log entry {{leaf}}, with key {{key}} (registered at log entry {{registered}}, retired at entry {{retired}}).',
      signedBatch:
        '{{actor}} signed a batch of {{count}} records on {{at}}, log entry {{leaf}}, with key {{key}} (registered at log entry {{registered}}, not retired).',
      signedBatchRetired:
        '{{actor}} signed a batch of {{count}} records on {{at}}, log entry {{leaf}}, with key {{key}} (registered at log entry {{registered}}, retired at entry {{retired}}).',
      signedRecordV1:
        '{{actor}} signed this certification on {{at}} with key {{key}} (in use since {{since}}).',
      signedBatchV1:
        '{{actor}} signed a batch of {{count}} records on {{at}} with key {{key}} (in use since {{since}}).',
      included: "The certification is entry {{leaf}} of the {{size}} entries in the checkpoint's log tree.",
      includedBatch:
        "The record's batch is entry {{leaf}} of the {{size}} entries in the checkpoint's log tree.",
      vouched:
        'The authority (key {{authority}}) vouches for key {{key}} of {{identity}}: registered at log entry {{registered}}.',
      vouchedThrough:
        'The authority (key {{authority}}) vouches for key {{key}} of {{identity}}, through {{earlier}} earlier key(s) of {{identity2}}: registered at log entry {{registered}}.',
      quorumNoneCosigned:
        'Signed by the log {{origin}} at {{size}} entries. Cosigned by no witness (0 of {{total}} witnesses); not by {{missing}}: the quorum ({{quorum}}) is not met.',
      quorumMet:
        'Signed by the log {{origin}} at {{size}} entries. Cosigned by {{names}} ({{count}} of {{total}} witnesses): the quorum ({{quorum}}) is met.',
      quorumMetNotAll:
        'Signed by the log {{origin}} at {{size}} entries. Cosigned by {{names}} ({{count}} of {{total}} witnesses); not by {{missing}}: the quorum ({{quorum}}) is met.',
      quorumNotMet:
        'Signed by the log {{origin}} at {{size}} entries. Cosigned by {{names}} ({{count}} of {{total}} witnesses); not by {{missing}}: the quorum ({{quorum}}) is not met.',
      logOnly:
        "Signed by the log {{origin}} (key {{key}}) at {{size}} entries. No witnesses configured: the checkpoint rests on the log's signature alone.",
      cosignedCount:
        'Signed by the log {{origin}} (key {{key}}) at {{size}} entries. Cosigned by {{count}} of {{total}} witnesses ({{required}} required).',
      validOpen: 'Valid since {{from}}, with no end date.',
      validWindow: 'Valid from {{from}} until {{until}}.',
      expired: 'expired: was valid until {{until}}',
      notYet: 'not valid yet: valid from {{from}}',
      active:
        "Active: the state map of the checkpoint's {{size}} entries proves no suspension or revocation.",
      reinstated:
        "Active: reinstated on {{at}} by {{by}} (log entry {{leaf}}); the state map of the checkpoint's {{size}} entries proves it.",
      revoked: 'Revoked on {{at}} by {{by}} (log entry {{leaf}}): {{reason}}',
      suspended: 'Suspended on {{at}} by {{by}} (log entry {{leaf}}): {{reason}}',
      inBatch:
        'Record {{index}} of the {{count}} in batch {{batch}}: its digest leads to the batch root the department signed.',
      documentMatches: "Your document's SHA-256 is {{digest}}, the certified digest.",
      documentDiffers:
        "your document's SHA-256 is {{digest}}, the certified one is {{certified}}: it is a different document",
      provenAsOf: 'The state is proven as of {{asOf}}, when the witnesses had cosigned the checkpoint.',
      timeUnknown:
        "No witness quorum vouches for a time: the state is as of the log's checkpoint, whose time only the log asserts.",
      fieldDiffers: "the entry's {{field}} differs from the signed command's",
      inclusionAltered:
        "the inclusion proof does not lead to the checkpoint's root: the entry or the proof was altered",
      batchPathAltered:
        'the batch path does not lead to the signed batch root: the record digest or the path was altered',
      batchRootAltered: 'the batch root in the bundle is not the one the department signed',
      treeSizeDiffers: 'the bundle says the log has {{bundle}} entries, the checkpoint says {{checkpoint}}',
    },
    label: {
      bundle: 'The proof can be read',
      signature: 'Signed by the issuing department',
      inclusion: 'Recorded in the public log',
      authority: "The key is the department's, registered by the authority",
      checkpoint: 'Log checkpoint signed by the log',
      validity: 'Within its validity period',
      status: 'Not suspended or revoked',
      batch: 'Inside its certified batch',
      document: 'Your document matches the certified one',
      freshness: 'The state is recent',
    },
    explain: {
      bundle: {
        pass: 'The proof is complete and well formed, so each part of it can be checked.',
        fail: 'The proof is incomplete or malformed, so it proves nothing.',
      },
      signature: {
        pass: "The issuing department's digital signature covers the certified details. Nobody else, not even this server, could have made it.",
        fail: 'The certified details do not carry a valid signature of the issuing department: they may have been altered.',
      },
      inclusion: {
        pass: 'The certification is written into the public log: an append-only record that every city node keeps a copy of.',
        fail: 'The certification could not be found in the public log as the proof claims.',
      },
      authority: {
        pass: "The province's authority registered the department's key, with its own signature, in the public log. Not even the log's operator could have made that registration.",
        fail: "The signing key's registration by the province's authority could not be confirmed.",
      },
      checkpoint: {
        pass: "The log signed its current state, and the witnesses below cosigned it. This page checks the log's signature with the key shown below, and each witness's cosignature with the key the node's trust policy gives it.",
        passNoWitnesses:
          'The log signed its current state. This page checks that signature with the key shown below. No independent witnesses are configured, so nobody else has cosigned it.',
        pending:
          'The log signed its current state, but not yet enough witnesses have cosigned it (see below): the state is not final yet.',
        fail: "The log's signature on its state does not check out with the key shown below: the proof may come from another log, or was altered.",
      },
      validity: {
        pass: 'The record is within the validity period the department gave it, at the time on this device.',
        expired: 'The validity period the department gave this record has ended, by the time on this device.',
        notYet:
          'The validity period the department gave this record has not begun yet, by the time on this device.',
        fail: 'The validity period of this record cannot be read.',
      },
      status: {
        pass: 'The department has not suspended or revoked the record: its current status is proven by the log itself.',
        revoked:
          'The department revoked this record. The revocation is itself recorded in the public log and proven here.',
        suspended:
          'The department suspended this record. The suspension is itself recorded in the public log and proven here.',
        fail: "The record's current status could not be proven.",
      },
      batch: {
        pass: 'The record is one of a batch certified together, and its place in the batch is proven.',
        fail: 'The record could not be shown to belong to the batch the department signed.',
      },
      document: {
        pass: "Your file's fingerprint was computed on this device and is the certified one. Your file was not sent anywhere.",
        fail: "Your file's fingerprint was computed on this device and differs from the certified one: it is a different file. Your file was not sent anywhere.",
      },
      freshness: {
        pass: 'Independent witnesses cosigned the log at the time shown; the status above is proven as of then.',
        passUnknown:
          "No witness quorum vouches for a time: the status above is as of the log's own checkpoint.",
        fail: 'The status above could not be confirmed as recent enough.',
      },
    },
  },
  latest: {
    current: 'Checked online: this proof is under the log’s latest checkpoint.',
    sameState: 'Checked online: the log has grown since this proof, and its latest state says the same.',
    changed:
      'Checked online: this proof is OUT OF DATE. The log’s latest state says this record is now {{status}}.',
    splitView:
      'Checked online: the log’s latest checkpoint does not extend the one in this proof. Someone is showing two different histories; do not trust this result.',
    unknown: 'Could not compare with the log’s latest checkpoint.',
    outOfDate: 'Out of date: do not rely on this proof',
    outOfDateNext: 'Reload the page. If it still shows an old proof, contact the issuing department.',
  },
  witnesses: {
    heading: 'Who vouched for the log',
    intro:
      'Other cities and departments each keep a verified copy of the log and cosign its checkpoints only if they are consistent with everything they saw before. A checkpoint is final when enough of them did.',
    quorumMet:
      '{{cosigned}} of {{total}} witnesses cosigned this checkpoint. The quorum ({{rule}}) is met: the checkpoint is final.',
    quorumNotMet:
      '{{cosigned}} of {{total}} witnesses cosigned this checkpoint. The quorum ({{rule}}) is not met yet.',
    cosigned: 'Cosigned: ',
    notCosigned: 'Not cosigned: ',
    at: ' at {{time}}',
    none: ' (no cosignature)',
  },
  document: {
    heading: 'Compare your document',
    intro:
      'Pick or drop the original file. Its fingerprint (SHA-256) is computed on this device and compared with the certified one.',
    neverLeaves: 'The file never leaves your device.',
    choose: 'Choose a file',
    orDrop: 'or drop it here',
    hashing: 'Computing the fingerprint of {{name}}…',
    hashingProgress: 'Computing the fingerprint of {{name}}… {{percent}}%',
    digest: '{{name}}: SHA-256 {{digest}}',
  },
  record: {
    heading: 'What the proof says',
    recordType: 'Record type',
    issuedBy: 'Issued by',
    certifiedOn: 'Certified on',
    validFrom: 'Valid from',
    validUntil: 'Valid until',
    noEndDate: 'no end date',
    status: 'Status',
    fingerprint: 'Document fingerprint (SHA-256)',
    certification: 'Certification',
    inBatch: 'Certified in a batch',
    inBatchValue: 'record {{index}} of {{count}} in {{batch}}',
    aBatch: 'a batch',
    statusValue: {
      active: 'active',
      suspended: 'suspended',
      revoked: 'revoked',
    },
  },
  qr: {
    heading: 'Open this check on another device',
    caption: 'Scan this code to open this page: {{url}}',
    label: 'QR code of {{url}}',
  },
  trust: {
    heading: 'Which log this page trusts',
    logKey: "This page checks the log's signature with this key, which the node serving the page put here:",
    authorityKeys:
      "and checks that the province's authority registered the department's key, with the authority key(s) the node put here:",
    compare:
      'A page can only vouch for what it is given. Compare this key with the one the province publishes (on its website, in the official gazette, or from the witnesses that cosign the log). If they differ, do not trust this result.',
    policy: "The witnesses and the quorum come from the node's trust policy:",
    policyLink: 'download it',
    policyCli: 'chancery verify --policy checks a proof against a policy you obtained yourself.',
  },
  downloads: {
    heading: 'Check it yourself',
    json: 'Download the proof (JSON)',
    tlog: 'Download the proof (C2SP tlog-proof)',
    offline: 'Offline:',
    offlineNote: "(the authority's key, as the province publishes it)",
  },
  /** The node's landing page and its friendly 404 (server-rendered, both languages side by side). */
  landing: {
    title: 'Check a certificate',
    heading: 'Check a certified record',
    intro:
      'This node keeps the public log {{origin}}. Open the QR code or URL on a certificate to check it on your own device.',
    proofLabel: 'Paste a proof id or a proof URL',
    check: 'Check',
    console: 'Console',
    apiDocs: 'API docs',
  },
  notFound: {
    title: 'Not found',
    nothingAt:
      'There is nothing at {{asked}}. Check that the id or URL on the certificate was copied in full and without typos.',
    idShape: 'A proof id looks like {{prefix}} followed by 24 letters and digits.',
  },
} as const;
