/** `esdb://admin:changeit@host` → `esdb://admin:***@host`: connection strings end up in logs and banners. */
export function maskPassword(url: string): string {
  return url.replace(/^(esdb(?:\+discover)?:\/\/[^:@/]+:)[^@/]*@/, '$1***@');
}
