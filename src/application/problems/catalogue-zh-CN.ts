/**
 * The problem titles in Simplified Chinese, beside the English catalogue.
 * Only `title` is localised: `type`, `code` and `detail` stay the stable
 * English a program matches on and an operator searches the logs for.
 * Typed as a record over every code, so a code added to the catalogue
 * without a Chinese title does not compile (and a test checks it too).
 */

import type { ProblemCode } from './catalogue.js';

export const PROBLEM_TITLES_ZH_CN: Readonly<Record<ProblemCode, string>> = {
  // Request shape
  BODY_MALFORMED: '请求正文不是有效的 JSON',
  BODY_INVALID: '请求不符合其模式',
  BODY_TOO_LARGE: '请求正文过大',
  UNSUPPORTED_MEDIA_TYPE: '不支持该请求内容类型',
  ROUTE_NOT_FOUND: '没有这个路由',
  COMMAND_TYPE_MISMATCH: '命令类型不属于此路由',
  PATH_MISMATCH: '命令所指的资源与路径不符',

  // Envelope and authentication
  SIGNATURE_KEY_MISMATCH: '签名的密钥 ID 与载荷中的密钥 ID 不同',
  ENCODING_INVALID: '密钥、摘要或签名的编码不正确',
  ACTOR_UNKNOWN: '操作者不是已登记的身份',
  KEY_UNKNOWN: '该密钥未登记在操作者名下',
  KEY_RETIRED: '该密钥已在轮换中停用',
  SIGNATURE_INVALID: '签名验证未通过',
  ACTOR_REVOKED: '操作者身份已被撤销',
  ROLE_MISSING: '操作者缺少此命令所需的角色',
  ACCREDITATION_MISSING: '操作者未获得此记录类型的认可',
  NOT_ISSUER: '只有签发方或主管机关可以更改此认证',
  ISSUED_AT_SKEW: 'issuedAt 超出允许的时钟偏差',
  COMMAND_ID_REUSED: '该命令 ID 已用于另一条命令',

  // Identity
  IDENTITY_ALREADY_EXISTS: '该机构代码已登记',
  IDENTITY_NOT_FOUND: '没有这个身份',
  IDENTITY_REVOKED: '该身份已被撤销',
  PARENT_NOT_FOUND: '上级身份不存在',
  KEY_ALREADY_REGISTERED: '该密钥已登记',
  KEY_NOT_ACTIVE: '该密钥不是此身份的有效密钥',
  AUTHORITY_NOT_REVOCABLE: '根主管机关不能被撤销',
  NOT_AN_ISSUER: '该身份不具备签发方角色',
  ROLE_NOT_ASSIGNABLE: '该角色不能通过登记授予',
  KEY_NOT_FOUND: '没有身份持有此密钥',

  // Certification
  CERTIFICATION_ALREADY_EXISTS: '该认证已存在',
  CERTIFICATION_NOT_FOUND: '没有这个认证',
  GENESIS_MISPLACED: '根主管机关只能由日志的第一条记录登记',
  INVALID_STATUS_TRANSITION: '该认证不能进行此状态变更',
  VALIDITY_WINDOW_INVALID: '有效期为空或起止颠倒',
  BATCH_ROOT_MISMATCH: '上传的摘要算不出已签名的批次根哈希；未存储任何内容',
  BATCH_COUNT_MISMATCH: '上传的摘要数量与签名中的数量不符；未存储任何内容',
  BATCH_NOT_FOUND: '没有这个批次',

  // Proofs
  PROOF_NOT_SEALED: '该记录尚未纳入已签名的检查点；请稍后重试',

  // Merkle log
  LOG_INDEX_OUT_OF_RANGE: '该叶子索引不在树中',
  LOG_SIZE_OUT_OF_RANGE: '该树大小超出最新检查点',
  LOG_RANGE_INVALID: '范围起止颠倒',
  CHECKPOINT_NOT_YET: '尚未签署任何检查点；请稍后重试',
  SEAL_TIMEOUT: '写入已持久保存，但尚未封存；请稍后重试',
  TILE_PATH_INVALID: '该路径不是 C2SP tlog-tiles 的瓦片或条目包名称',
  TILE_NOT_FOUND: '该瓦片或条目包不在最新检查点的树中',
  BUNDLE_ENTRY_TOO_LARGE: '某条目超过条目包可容纳的 65,535 字节；请从 /v1/log/entries 读取',

  // Federation: witnesses, mirrors, finality
  FINALITY_TIMEOUT: '写入已封存，但见证人法定数尚未联署；请稍后重试',
  MIRROR_READ_ONLY: '此节点是镜像；请将写入发往日志的节点',
  POLICY_NOT_CONFIGURED: '此节点没有信任策略',

  // Directory: catalog entries, sharing, dataset versions
  ENTRY_NOT_FOUND: '没有这个目录条目',
  ENTRY_ALREADY_EXISTS: '该目录条目已存在',
  ENTRY_WITHDRAWN: '该目录条目已撤回',
  NOT_OWNER: '只有发布部门可以执行此操作',
  SCHEMA_INVALID: 'conformsTo 不是有效的 JSON Schema (2020-12)',
  COVERAGE_INVALID: '时间覆盖范围的结束早于开始',
  LANGUAGE_UNKNOWN: '某语言不是已知的欧盟语言权威代码',
  SCHEMA_CHANGED: '上传期间条目的模式已变更；请重新上传',
  OWN_DATASET: '部门不能申请访问自己的数据集',
  REQUEST_ALREADY_EXISTS: '该访问申请已存在',
  REQUEST_NOT_FOUND: '没有这个访问申请',
  REQUEST_NOT_VISIBLE: '只有条目所有者和申请方可以查看访问申请',
  REQUEST_NOT_PENDING: '该访问申请已有决定',
  GRANT_NOT_FOUND: '没有这项授权',
  GRANT_NOT_ACTIVE: '该授权已被撤销或已过期',
  EXPIRY_INVALID: '授权到期时间不在申请的期限之内',
  VERSION_NOT_FOUND: '没有这个数据集版本',
  ACCESS_NOT_GRANTED: '没有授权允许此部门读取该数据集',
  GRANT_EXPIRED: '该授权已过期',
  GRANT_REVOKED: '该授权已被撤销',
  GRANT_HOLDER_MISMATCH: '该授权是授予另一个部门的',
  VERSION_NOT_IN_GRANT_SCOPE: '该授权不涵盖此版本',
  RECORDS_INVALID: '记录不符合条目的模式；未存储任何内容',
  RECORD_TOO_LARGE: '某条记录超过单条记录的大小上限',
  UPLOAD_TRUNCATED: '上传在记录结束前中断；未存储任何内容',
  CONTENT_DIGEST_MISSING: '上传需要 sha-256 的 Content-Digest',
  CONTENT_DIGEST_MISMATCH: '正文与其 Content-Digest 不符',
  QUERY_INVALID: '无法读取该搜索查询',
  CURSOR_INVALID: '该游标不属于此次搜索',

  // HTTP message signatures (RFC 9421)
  SIGNATURE_MISSING: '该请求需要 HTTP 消息签名',
  SIGNATURE_INPUT_INVALID: 'Signature-Input 或 Signature 字段格式错误，或覆盖的内容过少',
  SIGNATURE_REPLAYED: '该签名已被使用过',

  // Store and server
  WRITE_CONFLICT: '另一个并发写入已先完成；请重试该命令',
  STORE_UNAVAILABLE: '事件存储不可用；请稍后重试',
  STORE_OVERLOADED: '节点已满负荷；请稍后重试',
  NOT_READY: '节点尚未就绪；请稍后重试',
  INTERNAL: '内部错误',

  // Hardening: refusals that cost the node almost nothing
  BODY_TOO_DEEP: '请求正文的嵌套层级超出允许范围',
  BODY_NOT_I_JSON: '请求正文含有没有 RFC 8785 形式的值（数字超出范围或孤立代理项）',
  HEADERS_TOO_LARGE: '请求行或请求头过大',
  REQUEST_MALFORMED: '无法读取该 HTTP 请求',
  REQUEST_TIMEOUT: '请求到达耗时过长',
  PARAMS_INVALID: '路径参数不符合其模式',
  ISSUED_AT_INVALID: 'issuedAt 不是以 Z 结尾的 RFC 3339 UTC 时间',
  RECORD_ALREADY_CERTIFIED: '该签发方已认证过此记录；如需重新认证，请明确重新签发',
  NODE_OVERLOADED: '节点正在处理的请求过多；请稍后重试',
  UPLOADS_PER_KEY_EXCEEDED: '该密钥正在进行的上传过多；请稍后重试',
  DOWNLOADS_PER_ADDRESS_EXCEEDED: '该客户端地址正在接收的下载过多；请稍后重试',
};
