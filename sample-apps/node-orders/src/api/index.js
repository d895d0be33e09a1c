// POST /orders and GET /orders/{id} (HTTP API, payload format 2.0). An ES module: the
// package.json beside it says "type": "module".
import { randomUUID } from "node:crypto";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";

const sqs = new SQSClient({});
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const json = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

export function problemsOf(order) {
  const problems = [];
  if (typeof order?.customer !== "string" || order.customer === "") {
    problems.push("customer must be a non-empty string");
  }
  if (!Array.isArray(order?.items) || order.items.length === 0) {
    problems.push("items must be a non-empty list");
    return problems;
  }
  order.items.forEach((item, index) => {
    if (typeof item?.sku !== "string") {
      problems.push(`items[${index}].sku must be a string`);
    }
    if (!Number.isInteger(item?.quantity) || item.quantity < 1 || item.quantity > 100) {
      problems.push(`items[${index}].quantity must be a whole number from 1 to 100`);
    }
  });
  return problems;
}

async function createOrder(event) {
  let order;
  try {
    // HTTP APIs base64-encode a body whose content type is not text (or not given).
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8") : event.body ?? "";
    order = JSON.parse(body);
  } catch {
    return json(400, { problems: ["the body must be a JSON object"] });
  }
  const problems = problemsOf(order);
  if (problems.length > 0) {
    return json(400, { problems });
  }
  const id = randomUUID().replaceAll("-", "");
  const item = { id, status: "PENDING", customer: order.customer, items: order.items };
  await table.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: item }));
  await sqs.send(new SendMessageCommand({
    QueueUrl: process.env.ORDERS_QUEUE_URL, MessageBody: JSON.stringify({ id }),
  }));
  console.log("queued order", id);
  return json(202, { orderId: id }, { location: `/orders/${id}` });
}

async function getOrder(event) {
  const id = event.pathParameters?.id;
  const found = await table.send(new GetCommand({
    TableName: process.env.ORDERS_TABLE, Key: { id },
  }));
  return found.Item ? json(200, found.Item) : json(404, { error: `no order ${id}` });
}

export const handler = async (event) =>
  (event.requestContext?.http?.method === "POST" ? createOrder(event) : getOrder(event));
