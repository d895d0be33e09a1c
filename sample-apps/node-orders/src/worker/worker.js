// Prices each queued order and marks it CONFIRMED. An order with an unknown SKU fails on
// its own (ReportBatchItemFailures): SQS retries it, then moves it to the dead-letter queue.
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, GetCommand, UpdateCommand } = require("@aws-sdk/lib-dynamodb");

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const PRICES_CENTS = { "COFFEE-250G": 1250, MUG: 900, FILTERS: 350 };

async function confirm(id) {
  const { Item: order } = await table.send(new GetCommand({
    TableName: process.env.ORDERS_TABLE, Key: { id },
  }));
  if (!order) {
    throw new Error(`no order ${id}`);
  }
  const items = order.items.map((line) => {
    const price = PRICES_CENTS[line.sku];
    if (price === undefined) {
      throw new Error(`unknown sku ${line.sku}`);
    }
    return { ...line, lineCents: price * line.quantity };
  });
  const totalCents = items.reduce((sum, line) => sum + line.lineCents, 0);
  await table.send(new UpdateCommand({
    TableName: process.env.ORDERS_TABLE, Key: { id },
    // "status" and "items" are DynamoDB reserved words: named through placeholders.
    UpdateExpression: "SET #s = :s, #i = :i, totalCents = :t",
    ExpressionAttributeNames: { "#s": "status", "#i": "items" },
    ExpressionAttributeValues: { ":s": "CONFIRMED", ":i": items, ":t": totalCents },
  }));
}

exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      await confirm(JSON.parse(record.body).id);
    } catch (error) {
      console.error("order failed", record.messageId, error.message);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
