import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * infra/azure.bicep cannot be compiled here (no Bicep CLI on the machine), so these checks read
 * it as text: its top-level declarations start at column 0 and end with a `}` at column 0.
 * They guard the one property that matters most for an auditor: no secret is a plain app setting.
 */
const bicep = readFileSync(join(__dirname, '../../infra/azure.bicep'), 'utf8');
const parameters = readFileSync(join(__dirname, '../../infra/azure.parameters.json'), 'utf8');

interface Resource {
  symbol: string;
  type: string;
  body: string;
}

function resources(text: string): Resource[] {
  const found: Resource[] = [];
  const pattern = /^resource (\w+) '([^@']+)@[^']+' = (?:if \([^)]*\) )?\{\n([\s\S]*?)^\}/gm;
  for (const m of text.matchAll(pattern)) found.push({ symbol: m[1], type: m[2], body: m[3] });
  return found;
}

function secureParams(text: string): string[] {
  return [...text.matchAll(/@secure\(\)\n(?:@[^\n]*\n)*param (\w+) /g)].map((m) => m[1]);
}

/** The app settings of the web app as name -> value expression. */
function appSettings(webApp: Resource): Map<string, string> {
  const settings = new Map<string, string>();
  const block = webApp.body.slice(webApp.body.indexOf('appSettings: ['));
  for (const m of block.matchAll(/name: '(\w+)'\n\s*value: ([^\n]+)/g)) settings.set(m[1], m[2]);
  return settings;
}

const all = resources(bicep);
const webApp = all.find((r) => r.type === 'Microsoft.Web/sites')!;
const vaultSecrets = all.filter((r) => r.type === 'Microsoft.KeyVault/vaults/secrets');

test('the template declares the secrets as secure parameters', () => {
  expect(secureParams(bicep).sort()).toEqual(['botAadAppClientSecret', 'cardSigningSecret']);
});

test('a secure parameter is used only as the value of a Key Vault secret', () => {
  for (const param of secureParams(bicep)) {
    const users = all.filter((r) => new RegExp(`\\b${param}\\b`).test(r.body));
    expect(users.map((r) => r.type)).toEqual(['Microsoft.KeyVault/vaults/secrets']);
    expect(users[0].body).toMatch(new RegExp(`value: ${param}\\n`));
  }
});

test('BOT_PASSWORD and CARD_SIGNING_SECRET are Key Vault references to those secrets', () => {
  const settings = appSettings(webApp);
  for (const name of ['BOT_PASSWORD', 'CARD_SIGNING_SECRET']) {
    const value = settings.get(name) ?? '';
    const ref = /^'@Microsoft\.KeyVault\(SecretUri=\$\{(\w+)\.properties\.secretUri\}\)'$/.exec(
      value,
    );
    expect({ name, value, ref: ref !== null }).toEqual({ name, value, ref: true });
    expect(vaultSecrets.map((r) => r.symbol)).toContain(ref![1]);
  }
});

test('no app setting holds a secure parameter or a literal that looks like a key', () => {
  const secure = secureParams(bicep);
  for (const [name, value] of appSettings(webApp)) {
    for (const param of secure)
      expect({ name, uses: new RegExp(`\\b${param}\\b`).test(value) }).toEqual({
        name,
        uses: false,
      });
    expect({ name, literal: /'[A-Za-z0-9+/=_~.-]{32,}'/.test(value) }).toEqual({
      name,
      literal: false,
    });
  }
});

test('the web app identity may read secrets (Key Vault Secrets User on the vault) and nothing more', () => {
  const assignments = all.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
  const onVault = assignments.filter((r) => /scope: keyVault\n/.test(r.body));
  expect(onVault).toHaveLength(1);
  expect(onVault[0].body).toMatch(/keyVaultSecretsUserRoleId/);
  expect(bicep).toMatch(/var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'/);
  const vault = all.find((r) => r.type === 'Microsoft.KeyVault/vaults')!;
  expect(vault.body).toMatch(/enableRbacAuthorization: true/);
  expect(vault.body).toMatch(/enablePurgeProtection: true/);
});

test('the parameters file takes secrets from the toolkit secret store, never as values', () => {
  const values = JSON.parse(parameters).parameters as Record<string, { value: unknown }>;
  for (const param of secureParams(bicep)) {
    expect(String(values[param]?.value)).toMatch(/^\$\{\{SECRET_[A-Z_]+\}\}$/);
  }
});
