/**
 * 公民核验页面的简体中文文案 (the citizen page's Simplified Chinese messages). Same keys as
 * messages-en.ts; the Catalogue type and a unit test keep them so. Written for a citizen, not an
 * engineer: 认证 for certification, 公开日志 for the public log, 见证方 for the witnesses.
 */
import type { Catalogue } from './catalogue.js';

export const MESSAGES_ZH_CN: Catalogue = {
  page: {
    title: '核验认证记录 {{id}}',
    brand: 'Chancery · {{origin}}',
    heading: '核验认证记录',
    certification: '认证编号',
    language: '语言',
    noscript:
      '本页面在您的浏览器中核验证明，需要启用 JavaScript。您也可以下载下方的证明文件，使用 chancery verify 自行核验。',
    footer: 'Chancery 证明核验页面。本页面不从任何其他网站加载内容，也不会发送任何关于您或您文件的信息。',
  },
  summary: {
    loading: '正在本设备上核验证明…',
    loadingDetail: '不会向任何地方发送信息：由您的浏览器自行核验签名和日志。',
    loadFailed: '无法加载证明',
    noAnswer: '节点没有响应。请检查网络连接后刷新页面。',
    waiting: '马上就好…',
    waitingDetail: '该记录尚未写入公开日志，将在 {{seconds}} 秒后再次检查。',
    notFound: '未找到该认证',
    notFoundDetail: '本节点没有编号为 {{id}} 的认证。请检查网址，或重新扫描证书上的二维码。',
    answered: '节点返回了 {{status}}。',
    nextStep: '下一步',
  },
  headline: {
    verified: {
      title: '已验证：真实、有效、已最终确认',
      detail:
        '{{issuer}} 认证了此记录。该记录已写入公开日志，在有效期内，未被暂停或撤销，且见证方已确认该日志。',
      detailNoWitnesses:
        '{{issuer}} 认证了此记录。该记录已写入公开日志，在有效期内，未被暂停或撤销。本节点未配置独立见证方：只有日志本身为其状态作保。',
      documentMatches: '您的文件与认证文件完全一致。',
      asOf: '其状态的证明截至 {{asOf}}（见证方联署的时间）。',
      next: '您可以信赖此记录。如需核对纸质或 PDF 副本，请在下方选择或拖入文件。',
    },
    limited: {
      title: '真实，但证明格式较旧',
      detail:
        '{{issuer}} 认证了此记录，且该记录已写入公开日志。但这种旧格式的证明无法说明此后是否被暂停或撤销。',
      next: '请先向签发部门索取最新的证明，再决定是否信赖。',
    },
    pending: {
      title: '真实，尚待最终确认',
      detail:
        '{{issuer}} 认证了此记录，且该记录已写入公开日志，但目前只有 {{total}} 个见证方中的 {{cosigned}} 个确认了该日志（需要：{{rule}}）。',
      next: '认证后的最初几分钟内出现这种情况属于正常。请稍后再查；如果一直未确认，请联系签发部门。',
    },
    revoked: {
      title: '已撤销',
      detail: '{{by}} 已于 {{date}} 撤销此记录。原因：{{reason}}',
      detailUnknown: '签发部门已撤销此记录（日志条目 {{entry}}）。',
      next: '请勿接受此记录。如您认为有误，请联系签发部门。',
    },
    suspended: {
      title: '已暂停',
      detail: '{{by}} 已于 {{date}} 暂停此记录。原因：{{reason}}',
      detailUnknown: '签发部门已暂停此记录（日志条目 {{entry}}）。',
      next: '目前请勿信赖此记录。暂停可以被解除，请向签发部门咨询。',
    },
    expired: {
      title: '已过期',
      detail: '此记录是真实的，但其有效期已于 {{until}} 结束。',
      next: '请向签发部门申请有效的记录。',
    },
    notYetValid: {
      title: '尚未生效',
      detail: '此记录是真实的，但要到 {{from}} 才开始生效。',
      next: '在该日期之前请勿信赖此记录。',
    },
    stale: {
      title: '真实，但当前状态未能确认',
      detail: '此记录是真实的，但无法确认其状态足够新：该状态仅证明到 {{asOf}}。',
      detailUnknown: '此记录是真实的，但目前没有对其状态的近期确认。',
      next: '请稍后刷新本页面。如果问题持续，请联系签发部门。',
    },
    wrongDocument: {
      title: '文件与认证文件不符',
      detail:
        '{{name}} 的指纹与 {{issuer}} 认证的文件不同。认证记录本身是真实的，但这个文件是另一个文件或已被改动。',
      next: '请勿将此文件当作认证文件接受。请索取原始文件，或核对另一份副本。',
    },
    doNotTrust: {
      title: '请勿信任：证明未通过核验',
      detail: '未通过：{{steps}}。证明可能已被篡改、不完整，或来自另一个日志。',
      next: '请勿信赖此记录。请通过您已知的渠道（而不是本页面提供的渠道）联系签发部门。',
    },
  },
  steps: {
    heading: '核验了哪些内容',
  },
  step: {
    passed: '通过：',
    failed: '未通过：',
    technical: '技术细节',
    detail: {
      signedRecord:
        '{{actor}} 于 {{at}} 用密钥 {{key}} 签署了这项认证（日志第 {{leaf}} 条；该密钥登记于日志第 {{registered}} 条，未停用）。',
      signedRecordRetired:
        '{{actor}} 于 {{at}} 用密钥 {{key}} 签署了这项认证（日志第 {{leaf}} 条；该密钥登记于日志第 {{registered}} 条，停用于第 {{retired}} 条）。',
      signedBatch:
        '{{actor}} 于 {{at}} 用密钥 {{key}} 签署了包含 {{count}} 条记录的批次（日志第 {{leaf}} 条；该密钥登记于日志第 {{registered}} 条，未停用）。',
      signedBatchRetired:
        '{{actor}} 于 {{at}} 用密钥 {{key}} 签署了包含 {{count}} 条记录的批次（日志第 {{leaf}} 条；该密钥登记于日志第 {{registered}} 条，停用于第 {{retired}} 条）。',
      signedRecordV1: '{{actor}} 于 {{at}} 用密钥 {{key}} 签署了这项认证（该密钥自 {{since}} 起启用）。',
      signedBatchV1:
        '{{actor}} 于 {{at}} 用密钥 {{key}} 签署了包含 {{count}} 条记录的批次（该密钥自 {{since}} 起启用）。',
      included: '该认证是检查点日志树 {{size}} 条记录中的第 {{leaf}} 条。',
      includedBatch: '该记录所在批次是检查点日志树 {{size}} 条记录中的第 {{leaf}} 条。',
      vouched:
        '主管机构（密钥 {{authority}}）为 {{identity}} 的密钥 {{key}} 作保：登记于日志第 {{registered}} 条。',
      vouchedThrough:
        '主管机构（密钥 {{authority}}）经由 {{identity2}} 先前的 {{earlier}} 把密钥，为 {{identity}} 的密钥 {{key}} 作保：登记于日志第 {{registered}} 条。',
      quorumNoneCosigned:
        '由日志 {{origin}} 在 {{size}} 条记录时签名。没有见证方联署（{{total}} 个见证方中 0 个）；未联署的有 {{missing}}：未达到法定数（{{quorum}}）。',
      quorumMet:
        '由日志 {{origin}} 在 {{size}} 条记录时签名。由 {{names}} 联署（{{total}} 个见证方中 {{count}} 个）：已达到法定数（{{quorum}}）。',
      quorumMetNotAll:
        '由日志 {{origin}} 在 {{size}} 条记录时签名。由 {{names}} 联署（{{total}} 个见证方中 {{count}} 个），{{missing}} 未联署：已达到法定数（{{quorum}}）。',
      quorumNotMet:
        '由日志 {{origin}} 在 {{size}} 条记录时签名。由 {{names}} 联署（{{total}} 个见证方中 {{count}} 个），{{missing}} 未联署：未达到法定数（{{quorum}}）。',
      logOnly:
        '由日志 {{origin}}（密钥 {{key}}）在 {{size}} 条记录时签名。未配置见证方：该检查点仅凭日志自己的签名。',
      cosignedCount:
        '由日志 {{origin}}（密钥 {{key}}）在 {{size}} 条记录时签名。{{total}} 个见证方中有 {{count}} 个联署（需要 {{required}} 个）。',
      validOpen: '自 {{from}} 起有效，没有截止日期。',
      validWindow: '有效期自 {{from}} 至 {{until}}。',
      expired: '已过期：有效期至 {{until}}',
      notYet: '尚未生效：自 {{from}} 起有效',
      active: '有效：检查点 {{size}} 条记录的状态映射证明没有暂停或撤销。',
      reinstated:
        '有效：{{by}} 于 {{at}} 恢复（日志第 {{leaf}} 条）；检查点 {{size}} 条记录的状态映射证明了这一点。',
      revoked: '已由 {{by}} 于 {{at}} 撤销（日志第 {{leaf}} 条），理由：{{reason}}',
      suspended: '已由 {{by}} 于 {{at}} 暂停（日志第 {{leaf}} 条），理由：{{reason}}',
      inBatch:
        '批次 {{batch}} 共 {{count}} 条记录中的第 {{index}} 条：其摘要可推导出该部门签名的批次根哈希。',
      documentMatches: '您的文件的 SHA-256 为 {{digest}}，与认证的摘要一致。',
      documentDiffers: '您的文件的 SHA-256 为 {{digest}}，认证的是 {{certified}}：这是另一份文件',
      provenAsOf: '该状态已被证明截至 {{asOf}}，即见证方联署该检查点的时间。',
      timeUnknown: '没有见证方法定数为时间作保：该状态以日志检查点为准，其时间仅由日志自己声明。',
      fieldDiffers: '记录中的 {{field}} 与签名命令中的不一致',
      inclusionAltered: '包含证明推导不出检查点的根哈希：记录或证明已被篡改',
      batchPathAltered: '批次路径推导不出已签名的批次根哈希：记录摘要或路径已被篡改',
      batchRootAltered: '证明中的批次根哈希不是该部门签名的那个',
      treeSizeDiffers: '证明称日志有 {{bundle}} 条记录，检查点称有 {{checkpoint}} 条',
    },
    label: {
      bundle: '证明可以读取',
      signature: '由签发部门签名',
      inclusion: '已记入公开日志',
      authority: '密钥属于该部门，并由主管机构登记',
      checkpoint: '日志检查点由日志签名',
      validity: '在有效期内',
      status: '未被暂停或撤销',
      batch: '属于其认证批次',
      document: '您的文件与认证文件一致',
      freshness: '状态是最新的',
    },
    explain: {
      bundle: {
        pass: '证明完整且格式正确，因此其中每一部分都可以被核验。',
        fail: '证明不完整或格式错误，因此无法证明任何内容。',
      },
      signature: {
        pass: '签发部门的数字签名覆盖了认证内容。除该部门外，任何人（包括本服务器）都无法伪造。',
        fail: '认证内容没有签发部门的有效签名：内容可能已被篡改。',
      },
      inclusion: {
        pass: '该认证已写入公开日志：这是一份只能追加、不能修改的记录，每个城市节点都保存着副本。',
        fail: '无法在公开日志中找到证明所声称的这条认证。',
      },
      authority: {
        pass: '省级主管机构已用自己的签名在公开日志中登记了该部门的密钥。即使是日志运营方也无法伪造这一登记。',
        fail: '无法确认签名密钥已由省级主管机构登记。',
      },
      checkpoint: {
        pass: '日志对其当前状态进行了签名，下方的见证方也进行了联署。本页面用下方显示的密钥核验日志的签名，并用节点信任策略给出的密钥核验每个见证方的联署签名。',
        passNoWitnesses:
          '日志对其当前状态进行了签名，本页面用下方显示的密钥核验了该签名。本节点未配置独立见证方，因此没有其他方联署。',
        pending: '日志对其当前状态进行了签名，但联署的见证方还不够多（见下方）：该状态尚未最终确认。',
        fail: '用下方显示的密钥无法核验日志对其状态的签名：证明可能来自另一个日志，或已被篡改。',
      },
      validity: {
        pass: '按本设备上的时间，该记录在签发部门给定的有效期内。',
        expired: '按本设备上的时间，签发部门给定的有效期已经结束。',
        notYet: '按本设备上的时间，签发部门给定的有效期尚未开始。',
        fail: '无法读取该记录的有效期。',
      },
      status: {
        pass: '签发部门没有暂停或撤销该记录：其当前状态由日志本身证明。',
        revoked: '签发部门已撤销该记录。撤销操作本身也记录在公开日志中，并在此得到证明。',
        suspended: '签发部门已暂停该记录。暂停操作本身也记录在公开日志中，并在此得到证明。',
        fail: '无法证明该记录的当前状态。',
      },
      batch: {
        pass: '该记录属于一起认证的一个批次，其在批次中的位置已得到证明。',
        fail: '无法证明该记录属于签发部门签名的批次。',
      },
      document: {
        pass: '您文件的指纹是在本设备上计算的，与认证的指纹一致。您的文件没有被发送到任何地方。',
        fail: '您文件的指纹是在本设备上计算的，与认证的指纹不同：这是另一个文件。您的文件没有被发送到任何地方。',
      },
      freshness: {
        pass: '独立见证方在所示时间联署了日志；上述状态证明截至该时间有效。',
        passUnknown: '没有达到法定数量的见证方为时间作保：上述状态以日志自己的检查点为准。',
        fail: '无法确认上述状态足够新。',
      },
    },
  },
  latest: {
    current: '已在线核对：此证明基于日志最新的检查点。',
    sameState: '已在线核对：此证明之后日志有新增记录，但其最新状态与此相同。',
    changed: '已在线核对：此证明已过时。日志的最新状态显示，此记录现为“{{status}}”。',
    splitView:
      '已在线核对：日志最新的检查点与此证明中的检查点不一致，有人在展示两份不同的历史记录。请勿信任本结果。',
    unknown: '无法与日志最新的检查点进行核对。',
    outOfDate: '证明已过时：请勿信赖',
    outOfDateNext: '请刷新页面。如果仍显示旧的证明，请联系签发部门。',
  },
  witnesses: {
    heading: '谁为日志作保',
    intro:
      '其他城市和部门各自保存一份经过核验的日志副本，只有当检查点与它们此前看到的一切一致时，才会联署。足够多的见证方联署后，检查点即为最终确认。',
    quorumMet:
      '{{total}} 个见证方中有 {{cosigned}} 个联署了此检查点。已达到法定数量（{{rule}}）：检查点已最终确认。',
    quorumNotMet: '{{total}} 个见证方中有 {{cosigned}} 个联署了此检查点。尚未达到法定数量（{{rule}}）。',
    cosigned: '已联署：',
    notCosigned: '未联署：',
    at: '，时间 {{time}}',
    none: '（未联署）',
  },
  document: {
    heading: '核对您的文件',
    intro: '请选择或拖入原始文件。其指纹（SHA-256）将在本设备上计算，并与认证的指纹进行比对。',
    neverLeaves: '文件不会离开您的设备。',
    choose: '选择文件',
    orDrop: '或将文件拖到这里',
    hashing: '正在计算 {{name}} 的指纹…',
    hashingProgress: '正在计算 {{name}} 的指纹… {{percent}}%',
    digest: '{{name}}：SHA-256 {{digest}}',
  },
  record: {
    heading: '证明的内容',
    recordType: '记录类型',
    issuedBy: '签发部门',
    certifiedOn: '认证时间',
    validFrom: '生效时间',
    validUntil: '有效期至',
    noEndDate: '长期有效',
    status: '状态',
    fingerprint: '文件指纹（SHA-256）',
    certification: '认证编号',
    inBatch: '批量认证',
    inBatchValue: '{{batch}} 中 {{count}} 条记录的第 {{index}} 条',
    aBatch: '一个批次',
    statusValue: {
      active: '有效',
      suspended: '已暂停',
      revoked: '已撤销',
    },
  },
  qr: {
    heading: '在其他设备上打开此核验',
    caption: '扫描此二维码即可打开本页面：{{url}}',
    label: '{{url}} 的二维码',
  },
  trust: {
    heading: '本页面信任哪个日志',
    logKey: '本页面使用以下密钥核验日志的签名，该密钥由提供本页面的节点放置于此：',
    authorityKeys: '并使用节点放置于此的主管机构密钥，核验省级主管机构是否登记了该部门的密钥：',
    compare:
      '页面只能为它所获得的内容作保。请将此密钥与省里公布的密钥（在其网站、政府公报上，或从联署日志的见证方处获得）进行比对。如果两者不同，请勿信任本结果。',
    policy: '见证方和法定数量来自节点的信任策略：',
    policyLink: '下载信任策略',
    policyCli: 'chancery verify --policy 可以用您自己获得的策略核验证明。',
  },
  downloads: {
    heading: '自行核验',
    json: '下载证明（JSON）',
    tlog: '下载证明（C2SP tlog-proof）',
    offline: '离线核验：',
    offlineNote: '（主管机构的密钥，以省里公布的为准）',
  },
  /** The node's landing page and its friendly 404 (server-rendered, both languages side by side). */
  landing: {
    title: '证书查验',
    heading: '证书查验',
    intro: '这个节点保存着 {{origin}} 的公开日志。打开证书上的二维码或网址即可在您的设备上查验。',
    proofLabel: '粘贴证书编号或查验网址',
    check: '查验',
    console: '运维控制台',
    apiDocs: '接口文档',
  },
  notFound: {
    title: '未找到',
    nothingAt: '这里没有 {{asked}}。请检查证书上的编号或网址是否完整、是否有输入错误。',
    idShape: '证书编号形如 {{prefix}} 加 24 个字母或数字。',
  },
};
