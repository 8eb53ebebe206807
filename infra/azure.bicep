// Azure resources for Internkontroll for Teams, one environment per resource group.
// Laid out like the Microsoft 365 Agents Toolkit bot templates (infra/azure.bicep plus
// infra/botRegistration/azurebot.bicep); outputs land in env/.env.<name> after `atk provision`.
// Not compiled on the machine it was written on: see infra/README.md.

@maxLength(30)
@minLength(4)
@description('Prefix for every resource name, e.g. internkontroll-a1b2c3.')
param resourceBaseName string

param location string = resourceGroup().location

@description('Display name of the Azure Bot.')
@maxLength(42)
param botDisplayName string

@description('Client (application) id of the single-tenant Entra app registration of the bot.')
param botAadAppClientId string

@secure()
@description('Client secret of that app registration; stored in Key Vault, read through the BOT_PASSWORD app setting.')
param botAadAppClientSecret string

@description('Tenant of the app registration: the municipality\'s own tenant.')
param botTenantId string = subscription().tenantId

@secure()
@minLength(32)
@description('CARD_SIGNING_SECRET: signs the data in card actions. Keep it stable.')
param cardSigningSecret string

@description('App Service plan size. B1 suits one municipality; always on needs B1 or above.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'P0v3'
  'P1v3'
  'P2v3'
])
param webAppSku string = 'B1'

@description('Number of instances (scale out). Max 3 on B, 10 on S, 30 on P; state is in Tables.')
@minValue(1)
@maxValue(30)
param instanceCount int = 1

@description('Node.js runtime on Linux App Service, e.g. NODE|20-lts or NODE|22-lts.')
param linuxFxVersion string = 'NODE|20-lts'

@description('Azure Bot pricing tier. F0 is free and covers the Teams channel.')
@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

@description('False for a second web app in another region: one app id, one Azure Bot.')
param deployBotRegistration bool = true

@description('Standard_RAGRS adds a read-only copy in the paired region.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('Days Log Analytics keeps logs and Application Insights data.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

param serverfarmsName string = resourceBaseName
param webAppName string = resourceBaseName
// Storage account names are 3-24 lower-case letters and digits, unique in all of Azure.
param storageAccountName string = take('st${toLower(replace(resourceBaseName, '-', ''))}${uniqueString(resourceGroup().id)}', 24)
param logAnalyticsName string = 'log-${resourceBaseName}'
param applicationInsightsName string = 'appi-${resourceBaseName}'
// Key Vault names are 3-24 letters, digits and dashes, unique in all of Azure.
param keyVaultName string = take('kv-${toLower(replace(resourceBaseName, '-', ''))}${uniqueString(resourceGroup().id)}', 24)

// Built-in role "Storage Table Data Contributor": read and write entities, create tables.
var tableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Built-in role "Key Vault Secrets User": read secret values, nothing else.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var tablesEndpoint = 'https://${storageAccountName}.table.${environment().suffixes.storage}'
// 'NODE|20-lts' -> '~20'
var nodeMajorVersion = '~${split(split(linuxFxVersion, '|')[1], '-')[0]}'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: logAnalyticsName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id // workspace-based: retention is the workspace's
  }
}

// Deviations, delegations and bot state live here. No account keys: the web app signs in with
// its managed identity, so there is no storage secret to leak or rotate.
resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

// Secrets live in Key Vault, never as plain app settings: the app settings hold Key Vault
// references that App Service resolves with the web app's managed identity. Rotation is a new
// secret version plus a restart; nobody with read access to the app's configuration sees a value.
resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true // access by role assignment, no access policies
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-password'
  properties: {
    value: botAadAppClientSecret
    contentType: 'Entra client secret of the bot (BOT_PASSWORD)'
  }
}

resource cardSigningVaultSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'card-signing-secret'
  properties: {
    value: cardSigningSecret
    contentType: 'Key that signs card action data (CARD_SIGNING_SECRET)'
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: serverfarmsName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    clientAffinityEnabled: false // any instance can take any turn
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      appCommandLine: 'node dist/bot/app/main.js'
      alwaysOn: true // Teams expects an answer within seconds; no cold starts
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        {
          name: 'BOT_ID'
          value: botAadAppClientId
        }
        {
          name: 'BOT_PASSWORD'
          value: '@Microsoft.KeyVault(SecretUri=${botPasswordSecret.properties.secretUri})'
        }
        {
          name: 'BOT_TENANT_ID'
          value: botTenantId
        }
        {
          name: 'BOT_TYPE'
          value: 'SingleTenant'
        }
        {
          name: 'CARD_SIGNING_SECRET'
          value: '@Microsoft.KeyVault(SecretUri=${cardSigningVaultSecret.properties.secretUri})'
        }
        {
          name: 'TABLES_ENDPOINT'
          value: tablesEndpoint
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        // No ApplicationInsightsAgent_EXTENSION_VERSION: the App Service agent would send its own
        // request and dependency telemetry, with table keys and conversation ids in the URLs. The
        // bot instruments itself (bot/app/telemetry.ts) and redacts every span first.
        {
          name: 'NODE_ENV'
          value: 'production'
        }
        {
          // Stack traces in logs point at the TypeScript lines (dist/ ships its .js.map files).
          name: 'NODE_OPTIONS'
          value: '--enable-source-maps'
        }
        {
          // Windows plans read this; on Linux linuxFxVersion decides. Kept in step for clarity.
          name: 'WEBSITE_NODE_DEFAULT_VERSION'
          value: nodeMajorVersion
        }
        {
          // We deploy a zip that already holds dist/ and production node_modules.
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: '1'
        }
      ]
    }
  }
}

// FTP is never used for deployment; switch off its basic authentication too.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2022-09-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, webApp.id, tableDataContributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributorRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The web app may read the secrets (and only read them). App Service resolves the references
// with the system-assigned identity; until this assignment has propagated (a minute or two on
// the first deployment) the settings show as unresolved and the bot refuses to start.
resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, webApp.id, keyVaultSecretsUserRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Register the web app as a bot with the Bot Framework and connect it to Teams.
module azureBotRegistration './botRegistration/azurebot.bicep' = if (deployBotRegistration) {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    botDisplayName: botDisplayName
    botServiceSku: botServiceSku
    botAadAppClientId: botAadAppClientId
    botTenantId: botTenantId
    botAppDomain: webApp.properties.defaultHostName
  }
}

// Written to env/.env.<name> by `atk provision` (names as the toolkit templates use them).
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}/api/messages'
output WEB_APP_NAME string = webApp.name
output TABLES_ENDPOINT string = tablesEndpoint
output STORAGE_ACCOUNT_NAME string = storage.name
output KEY_VAULT_NAME string = keyVault.name
output APPLICATIONINSIGHTS_NAME string = applicationInsights.name
