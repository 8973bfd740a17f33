/**
 * problem+json titles in the client's language: Simplified Chinese when its
 * Accept-Language prefers Chinese, English otherwise, with Content-Language
 * saying which; `type`, `code` and `detail` stay English. Every code has a
 * Chinese title.
 */

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CATALOGUE } from '../../src/application/problems/catalogue.js';
import { PROBLEM_TITLES_ZH_CN } from '../../src/application/problems/catalogue-zh-CN.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

describe('problem titles by Accept-Language', () => {
  let t: TestNode;

  beforeAll(async () => {
    t = await startTestNode();
  });

  afterAll(async () => {
    await t?.close();
    if (t !== undefined) rmSync(t.dataDir, { recursive: true, force: true });
  });

  const missing = (acceptLanguage?: string) =>
    t.node.app.inject({
      method: 'GET',
      url: '/v1/certifications/crt_aaaaaaaaaaaaaaaaaaaaaaaa',
      headers: acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage },
    });

  it('every code has a Chinese title, and no Chinese title is the English one', () => {
    expect(Object.keys(PROBLEM_TITLES_ZH_CN).sort()).toEqual(Object.keys(PROBLEM_CATALOGUE).sort());
    for (const [code, entry] of Object.entries(PROBLEM_CATALOGUE)) {
      const zh = PROBLEM_TITLES_ZH_CN[code as keyof typeof PROBLEM_CATALOGUE];
      expect(zh, code).toMatch(/[\u4e00-\u9fff]/);
      expect(zh, code).not.toBe(entry.title);
    }
  });

  it('answers in Chinese to a client that prefers Chinese: only the title changes', async () => {
    const response = await missing('zh-CN,zh;q=0.9,en;q=0.8');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['content-language']).toBe('zh-CN');
    expect(response.headers['vary']).toMatch(/accept-language/i);
    expect(response.json()).toEqual({
      type: 'urn:chancery:problem:certification-not-found',
      title: '没有这个认证',
      status: 404,
      code: 'CERTIFICATION_NOT_FOUND',
      detail: 'no certification crt_aaaaaaaaaaaaaaaaaaaaaaaa',
      instance: '/v1/certifications/crt_aaaaaaaaaaaaaaaaaaaaaaaa',
    });
  });

  it('answers in English without Accept-Language, or when English is preferred', async () => {
    const english = {
      type: 'urn:chancery:problem:certification-not-found',
      title: 'No such certification',
      status: 404,
      code: 'CERTIFICATION_NOT_FOUND',
      detail: 'no certification crt_aaaaaaaaaaaaaaaaaaaaaaaa',
      instance: '/v1/certifications/crt_aaaaaaaaaaaaaaaaaaaaaaaa',
    };
    for (const header of [undefined, 'en-GB,zh;q=0.5', 'fr']) {
      const response = await missing(header);
      expect(response.headers['content-language'], String(header)).toBe('en');
      expect(response.json(), String(header)).toEqual(english);
    }
  });

  it('translates a schema refusal too, keeping its English errors', async () => {
    const response = await t.node.app.inject({
      method: 'POST',
      url: '/v1/certifications',
      payload: { nonsense: true },
      headers: { 'accept-language': 'zh' },
    });
    const body = response.json();
    expect(response.headers['content-language']).toBe('zh-CN');
    expect(body).toMatchObject({ title: '请求不符合其模式', code: 'BODY_INVALID', status: 400 });
    expect(body.detail).toMatch(/^[\x20-\x7e]+$/);
  });
});
