import * as cdk from 'aws-cdk-lib';
import { OrdersStack } from '../lib/orders-stack';

new OrdersStack(new cdk.App(), 'orders');
