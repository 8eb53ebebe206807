// The Azure Bot: tells the Bot Framework where the bot lives (the messaging endpoint), which
// Entra app registration it signs in as, and that it is available in Microsoft Teams.

@maxLength(30)
@minLength(4)
@description('Prefix for resource names; the bot resource takes it as its name.')
param resourceBaseName string

@maxLength(42)
param botDisplayName string

param botServiceName string = resourceBaseName

@description('F0 is free; messages on standard channels such as Teams are free on both tiers.')
@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

@description('Client id of the single-tenant Entra app registration (BOT_ID).')
param botAadAppClientId string

@description('Tenant of that app registration (BOT_TENANT_ID).')
param botTenantId string

@description('Host name of the web app, without https://.')
param botAppDomain string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  kind: 'azurebot'
  // The Bot Framework registry is global; the bot's code and data stay in the web app's region.
  location: 'global'
  name: botServiceName
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: botTenantId
    // New multi-tenant bots cannot be created since 31 July 2025 (Azure Bot Service docs), and
    // single tenant keeps the bot's sign-in inside the municipality's own tenant.
    msaAppType: 'SingleTenant'
  }
}

// Connect the bot to Microsoft Teams.
resource botServiceMsTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  location: 'global'
  name: 'MsTeamsChannel'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

output BOT_SERVICE_NAME string = botService.name
